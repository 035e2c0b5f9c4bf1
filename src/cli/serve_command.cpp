// `memlens serve [STORE] [--listen ADDR:PORT] [--token T] [--tls-cert C --tls-key K]`: the
// dashboard and the recorded-session routes for a session store, with no live process — to
// browse sessions after the process (and the memlens that watched it) is gone. Runs until
// Ctrl-C / SIGTERM (blocked in every thread by main(), waited for here).
#include <signal.h>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/monitor_session.h"
#include "cli/serve_setup.h"
#include "monitor/store_archive.h"
#include "server/server.h"

namespace memlens::cli {

CLI::App* add_serve_command(CLI::App& app, ServeArgs& args) {
  CLI::App* sub = app.add_subcommand(
      "serve", "Serve the dashboard for a session store, to browse recorded sessions");
  sub->footer(
      "No process is watched: the dashboard opens the newest recorded session and its session\n"
      "picker switches between them; the live routes answer 503. The store is only read, so it\n"
      "may be served while a `memlens run --storage STORE` records into it. Any address other\n"
      "than loopback needs --token.\n");
  sub->add_option("store", args.store, "storage directory or .db file (default ./memory-analysis)");
  sub->add_option("--listen", args.listen, "serve on ADDR:PORT (default 127.0.0.1:10000)");
  sub->add_option("--token", args.token,
                  "bearer token required by the server (needed off loopback)");
  sub->add_option("--tls-cert", args.tls_cert,
                  "serve HTTPS with this PEM certificate (with --tls-key)");
  sub->add_option("--tls-key", args.tls_key, "the PEM private key of --tls-cert");
  sub->add_flag("-q,--quiet", args.quiet, "print only the dashboard address and errors");
  return sub;
}

int serve_command(const ServeArgs& args) {
  auto so = server_options_for({args.listen, "--listen", args.token, args.tls_cert, args.tls_key});
  if (!so) return fail(kExitUsage, so.error().message);

  monitor::StoreArchive archive(args.store);
  if (auto ok = archive.check(); !ok) return fail(kExitUsage, ok.error().message);

  auto http = server::Server::start_archive(archive, *so);
  if (!http) return fail(kExitUsage, http.error().message);
  note(fmt::format("dashboard: {}", (*http)->url()));
  if (!args.quiet) {
    auto list = archive.sessions();
    size_t n = list ? list->size() : 0;
    note(fmt::format("serving {} recorded session{} from {}; Ctrl-C to stop", n, n == 1 ? "" : "s",
                     args.store));
  }

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  int sig = 0;
  while ((sig = sigwaitinfo(&signals, nullptr)) < 0) {
    // EINTR: another signal; keep waiting.
  }
  (*http)->stop();
  if (!args.quiet) note("stopped");
  return kExitOk;
}

}  // namespace memlens::cli
