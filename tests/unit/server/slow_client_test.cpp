// A WebSocket client that never reads is dropped once its bounded queue fills, while a client
// that reads keeps receiving every update. The slow client shrinks its receive buffer
// (SO_RCVBUF) before connecting so the kernel stops absorbing the stream quickly; node cannot
// do that, which is why this test is C++.
#include <gtest/gtest.h>

#include <sys/socket.h>

#include <atomic>
#include <thread>

#include "server/net.h"
#include "server_fixture.h"

namespace memlens::server::testing {
namespace {

class SlowClientTest : public ServerFixture {};

TEST_F(SlowClientTest, NonReadingClientIsDroppedOthersKeepReceiving) {
  ServerOptions o;
  o.max_queued_messages = 4;
  o.stream_send_buffer_bytes = 16 * 1024;
  start(o, 10);  // an update every 10 ms fills the slow client's small buffers within seconds

  // The slow client: a raw upgrade, then silence.
  net::io_context io;
  tcp::socket slow(io);
  slow.open(tcp::v4());
  slow.set_option(net::socket_base::receive_buffer_size(2048));
  slow.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port()));
  std::string upgrade =
      "GET /api/memory-analysis/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Version: 13\r\n\r\n";
  net::write(slow, net::buffer(upgrade));

  // The good client reads on its own thread.
  std::atomic<int> received{0};
  std::atomic<bool> done{false};
  std::thread reader([&] {
    net::io_context rio;
    websocket::stream<beast::tcp_stream> ws(rio);
    beast::get_lowest_layer(ws).connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port()));
    ws.handshake("127.0.0.1", "/api/memory-analysis/ws");
    beast::flat_buffer buffer;
    while (!done) {
      beast::error_code ec;
      buffer.clear();
      ws.read(buffer, ec);
      if (ec) break;
      ++received;
    }
    beast::error_code ignored;
    beast::get_lowest_layer(ws).close();
  });

  EXPECT_TRUE(eventually([&] { return server_->stats().slow_clients_dropped >= 1; }))
      << "slow client never dropped";
  int at_drop = received.load();
  EXPECT_TRUE(eventually([&] { return received.load() >= at_drop + 5; }))
      << "the reading client stopped receiving";
  done = true;
  server_->stop();  // closes every connection: the reader's read ends with an error
  reader.join();
}

}  // namespace
}  // namespace memlens::server::testing
