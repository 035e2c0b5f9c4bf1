// The server's pure pieces: router matching, query decoding, Prometheus escaping, the
// Socket.IO packet state machine and the health rule.
#include <gtest/gtest.h>

#include "server/health_rule.h"
#include "server/http_response.h"
#include "server/prometheus_exposition.h"
#include "server/router.h"
#include "server/socketio_protocol.h"

namespace memlens::server {
namespace {

TEST(Router, MatchesPlaceholdersAndAnswers404And405) {
  Router r;
  r.add(http::verb::post, "/a/{id}/dismiss", [](const RouteContext& c) {
    return text_response(c.request, http::status::ok, c.params.at("id"));
  });
  Request req{http::verb::post, "/a/x%20y/dismiss?q=1", 11};
  EXPECT_EQ(r.dispatch(req).body(), "x y");
  Request wrong{http::verb::get, "/a/1/dismiss", 11};
  auto res = r.dispatch(wrong);
  EXPECT_EQ(res.result(), http::status::method_not_allowed);
  EXPECT_EQ(res[http::field::allow], "POST");
  Request missing{http::verb::get, "/b", 11};
  EXPECT_EQ(r.dispatch(missing).result(), http::status::not_found);
}

TEST(Router, HandlerExceptionsBecome500) {
  Router r;
  r.add(http::verb::get, "/boom",
        [](const RouteContext&) -> Response { throw std::runtime_error("x"); });
  Request req{http::verb::get, "/boom", 11};
  EXPECT_EQ(r.dispatch(req).result(), http::status::internal_server_error);
}

TEST(Query, DecodesPercentAndPlus) {
  auto q = parse_query("a=1&b=x%20y+z&c&d=%zz");
  EXPECT_EQ(q["a"], "1");
  EXPECT_EQ(q["b"], "x y z");
  EXPECT_EQ(q["c"], "");
  EXPECT_EQ(q["d"], "%zz");
}

TEST(Prometheus, EscapesLabelsAndHelp) {
  PrometheusText p;
  p.family("m", "a \\ b\nc", "gauge");
  p.sample("m", {{"module", "we\"ird\\\nname"}}, 1.5);
  p.sample("m", {}, 3);
  p.sample("m", {}, std::numeric_limits<double>::infinity());
  EXPECT_EQ(p.text(),
            "# HELP m a \\\\ b\\nc\n# TYPE m gauge\nm{module=\"we\\\"ird\\\\\\nname\"} 1.5\nm 3\nm "
            "+Inf\n");
}

TEST(SocketIo, HandshakeNamespaceConnectAndEvents) {
  SocketIoProtocol sio("SID", {});
  auto open = nlohmann::json::parse(sio.open_packet().substr(1));
  EXPECT_EQ(sio.open_packet()[0], '0');
  EXPECT_EQ(open["sid"], "SID");
  EXPECT_TRUE(open["pingInterval"].is_number());
  EXPECT_TRUE(open["pingTimeout"].is_number());
  EXPECT_TRUE(open["maxPayload"].is_number());
  auto out = sio.on_packet("40/memory-analysis,");
  ASSERT_EQ(out.replies.size(), 1u);
  EXPECT_TRUE(out.replies[0].starts_with("40/memory-analysis,{\"sid\":"));
  EXPECT_TRUE(sio.joined());
  EXPECT_EQ(SocketIoProtocol::event_packet("alerts", "{\"a\":1}"),
            "42/memory-analysis,[\"alerts\",{\"a\":1}]");
  EXPECT_EQ(sio.on_packet("2probe").replies.at(0), "3probe");
  sio.expect_pong();
  EXPECT_FALSE(sio.pong_received());
  sio.on_packet("3");
  EXPECT_TRUE(sio.pong_received());
  sio.on_packet("41/memory-analysis,");
  EXPECT_FALSE(sio.joined());
  EXPECT_TRUE(sio.on_packet("1").close);
  EXPECT_TRUE(sio.on_packet("40/other,").replies.at(0).starts_with("44/other,"));
}

TEST(SocketIo, NamespaceConnectChecksTheToken) {
  SocketIoSettings s;
  s.token = "T";
  SocketIoProtocol sio("SID", s);
  EXPECT_TRUE(
      sio.on_packet("40/memory-analysis,").replies.at(0).starts_with("44/memory-analysis,"));
  EXPECT_TRUE(
      sio.on_packet("40/memory-analysis,{\"token\":\"bad\"}").replies.at(0).starts_with("44/"));
  EXPECT_FALSE(sio.joined());
  EXPECT_TRUE(
      sio.on_packet("40/memory-analysis,{\"token\":\"T\"}").replies.at(0).starts_with("40/"));
  EXPECT_TRUE(sio.joined());
  s.transport_authorized = true;
  SocketIoProtocol via_query("SID2", s);
  via_query.on_packet("40/memory-analysis,");
  EXPECT_TRUE(via_query.joined());
}

TEST(HealthRule, RatioRssAndCriticalLeaksMakeItUnhealthy) {
  AnalyzerStatus st;
  AlertThresholds t;
  EXPECT_EQ(judge_health(st, {}, t, 2.5).status, "starting");
  Snapshot s;
  s.rss = 100 << 20;
  s.heap_used = 60 << 20;
  s.compute_derived();
  st.latest = s;
  EXPECT_EQ(judge_health(st, {}, t, 2.5).status, "healthy");
  st.latest->external_ratio = 3.0;
  auto v = judge_health(st, {}, t, 2.5);
  EXPECT_FALSE(v.healthy);
  EXPECT_EQ(v.status, "unhealthy");
  st.latest->external_ratio = 2.0;
  EXPECT_EQ(judge_health(st, {}, t, 2.5).status, "warning");
  st.latest->external_ratio = 0.5;
  t.rss_mb = 50;
  EXPECT_FALSE(judge_health(st, {}, t, 2.5).healthy);
  t.rss_mb = 150;
  Leak leak;
  leak.severity = Severity::kCritical;
  EXPECT_FALSE(judge_health(st, {leak}, t, 2.5).healthy);
  leak.severity = Severity::kLow;
  EXPECT_EQ(judge_health(st, {leak}, t, 2.5).status, "warning");
  // A small C program: libc's mappings over a few KB of heap give a huge ratio, no finding.
  Snapshot tiny;
  tiny.rss = 2 << 20;
  tiny.heap_used = 16 << 10;
  tiny.compute_derived();
  ASSERT_GT(tiny.external_ratio, 2.5);
  st.latest = tiny;
  EXPECT_EQ(judge_health(st, {}, t, 2.5).status, "healthy");
}

}  // namespace
}  // namespace memlens::server
