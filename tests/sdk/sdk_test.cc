// The SDK against the host model: dispatch, registration, lifecycle, the status/result
// mapping of every hostcall, buffer ownership. Test code runs inside real callbacks via
// the hooks of test_plugin; every hook with assertions has its runs counted.
#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

#include "test_plugin.h"

using namespace proxy_wasm::testing;
using proxy_wasm::Action;
using proxy_wasm::LogLevel;
using proxy_wasm::Status;
using Trace = std::vector<std::string>;

namespace {
struct Fixture {
  Fixture() { test_plugin::reset(); }
  ~Fixture() { test_plugin::reset(); }
  std::unique_ptr<Host> host = makeHost();
  Trace& trace() { return test_plugin::hooks().trace; }
};
}  // namespace

TEST_CASE_FIXTURE(Fixture, "roots are keyed by context id: same root id, different configurations") {
  std::vector<std::string> seen;
  int configures = 0;
  test_plugin::hooks().on_configure = [&](proxy_wasm::RootContext& root) {
    ++configures;
    auto config = root.pluginConfiguration();
    REQUIRE(config.ok());
    seen.push_back(std::string(root.rootId()) + "=" + config->str());
    return true;
  };
  const uint32_t a = host->startPlugin({"http", "one"});
  const uint32_t b = host->startPlugin({"http", "two"});
  REQUIRE(a);
  REQUIRE(b);
  CHECK(configures == 2);
  CHECK(seen == std::vector<std::string>{"http=one", "http=two"});
  CHECK(trace() == Trace{"start " + std::to_string(a), "configure " + std::to_string(a), "start " + std::to_string(b),
                         "configure " + std::to_string(b)});
  // Streams of each root reach that root.
  uint32_t root_of_stream = 0;
  test_plugin::hooks().on_request_headers = [&](proxy_wasm::HttpContext& ctx, size_t, bool) {
    root_of_stream = ctx.root().id();
    return Action::Continue;
  };
  host->newHttpStream(b).sendRequestHeaders({{":path", "/"}});
  CHECK(root_of_stream == b);
}

TEST_CASE_FIXTURE(Fixture, "several root ids in one module pick their own registrations") {
  const uint32_t http = host->startPlugin({"http"});
  const uint32_t tcp = host->startPlugin({"tcp"});
  REQUIRE(http);
  REQUIRE(tcp);
  auto& conn = host->newConnection(tcp);
  CHECK(conn.newConnectionAction() == Action::Continue);
  auto& stream = host->newHttpStream(http);
  stream.sendRequestHeaders({{":path", "/"}});
  CHECK(trace()[4] == "new_connection " + std::to_string(conn.id()));
  CHECK(trace()[5] == "request_headers " + std::to_string(stream.id()));
}

TEST_CASE_FIXTURE(Fixture, "an unregistered root id fails to start with a clear log") {
  CHECK(host->startPlugin({"nobody"}) == 0);
  CHECK(host->failure().find("failed to start") != std::string::npos);
  REQUIRE(host->logs(LogLevel::Critical).size() == 1);
  CHECK(host->logs(LogLevel::Critical)[0] == "proxy-wasm: no context factory registered for root id 'nobody'");
}

TEST_CASE_FIXTURE(Fixture, "onStart or onConfigure returning false fails the plugin") {
  test_plugin::hooks().on_configure = [](proxy_wasm::RootContext&) { return false; };
  CHECK(host->startPlugin({"http"}) == 0);
  CHECK(host->failure().find("rejected its configuration") != std::string::npos);
}

TEST_CASE_FIXTURE(Fixture, "HTTP finalization follows Envoy, and every context is deleted") {
  const uint32_t root = host->startPlugin({"http"});
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/"}}, true);
  s.sendResponseHeaders({{":status", "200"}}, true);
  trace().clear();
  s.finish();
  const std::string id = std::to_string(s.id());
  CHECK(trace() == Trace{"log " + id, "done " + id, "delete " + id});
  host->shutdown();
  CHECK(trace().back() == "delete " + std::to_string(root));
  CHECK(test_plugin::liveContexts() == 0);
}

TEST_CASE("the spec's finalization order is an option") {
  test_plugin::reset();
  HostOptions options;
  options.http_finalization = Finalization::Spec;
  auto host = makeHost(options);
  host->startPlugin({"http"});
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/"}}, true);
  test_plugin::hooks().trace.clear();
  s.finish();
  const std::string id = std::to_string(s.id());
  CHECK(test_plugin::hooks().trace == Trace{"done " + id, "log " + id, "delete " + id});
}

TEST_CASE_FIXTURE(Fixture, "a root that defers onDone is deleted after finish()") {
  proxy_wasm::RootContext* pending = nullptr;
  test_plugin::hooks().on_root_done = [&](proxy_wasm::RootContext& root) {
    pending = &root;
    return false;
  };
  int ticks = 0;
  test_plugin::hooks().on_tick = [&](proxy_wasm::RootContext& root) {
    ++ticks;
    CHECK(root.finish() == Status::Ok);
  };
  const uint32_t root = host->startPlugin({"root_only"});
  host->shutdown();
  CHECK(pending != nullptr);
  CHECK(host->contextAlive(root));
  host->tick(root);  // still ticks while parked; finishes from the tick
  CHECK(ticks == 1);
  CHECK(trace().back() == "delete " + std::to_string(root));
  CHECK_FALSE(host->contextAlive(root));
}

TEST_CASE_FIXTURE(Fixture, "finish() with nothing pending is NotFound") {
  int ticks = 0;
  test_plugin::hooks().on_tick = [&](proxy_wasm::RootContext& root) {
    ++ticks;
    CHECK(root.finish() == Status::NotFound);
  };
  host->startPlugin({"root_only"});
  host->tick();
  CHECK(ticks == 1);
}

TEST_CASE_FIXTURE(Fixture, "header operations and their statuses") {
  host->startPlugin({"http"});
  int headers = 0;
  test_plugin::hooks().on_request_headers = [&](proxy_wasm::HttpContext& ctx, size_t n, bool eos) {
    ++headers;
    CHECK(n == 2);
    CHECK(eos);
    auto path = ctx.getRequestHeader(":path");
    REQUIRE(path.ok());
    CHECK(path->view() == "/a");
    auto missing = ctx.getRequestHeader("x-missing");  // absent is not an error
    CHECK_FALSE(missing.has_value());
    CHECK(missing.ok());
    CHECK(ctx.addRequestHeader("x-added", "1") == Status::Ok);
    CHECK(ctx.addRequestHeader("X-Added", "2") == Status::Ok);
    CHECK(ctx.replaceRequestHeader("x-host", "h2") == Status::Ok);
    CHECK(ctx.removeRequestHeader("x-never-there") == Status::Ok);
    // Response headers do not exist yet.
    CHECK(ctx.getResponseHeader(":status").status() == Status::BadArgument);
    CHECK(ctx.addResponseHeader("x", "y") == Status::BadArgument);
    auto response = ctx.getResponseHeaders();
    REQUIRE(response.ok());
    CHECK(response->empty());
    auto all = ctx.getRequestHeaders();
    REQUIRE(all.ok());
    CHECK(all->size() == 4);
    CHECK(ctx.getHeadersSize(proxy_wasm::MapType::HttpRequestHeaders).value() ==
          std::string(":path/ax-hosth1").size() + 0 - 2 + 2 + std::string("x-added1x-added2").size() - 0);
    return Action::Continue;
  };
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/a"}, {"x-host", "h1"}}, true);
  CHECK(headers == 1);
  CHECK(s.requestHeaders() == HeaderList{{":path", "/a"}, {"x-host", "h2"}, {"x-added", "1"}, {"x-added", "2"}});
}

TEST_CASE_FIXTURE(Fixture, "setRequestHeaders replaces the whole map") {
  host->startPlugin({"http"});
  int headers = 0;
  test_plugin::hooks().on_request_headers = [&](proxy_wasm::HttpContext& ctx, size_t, bool) {
    ++headers;
    CHECK(ctx.setRequestHeaders({{":path", "/new"}, {"x-a", "1"}}) == Status::Ok);
    return Action::Continue;
  };
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/old"}, {"x-gone", "1"}});
  CHECK(headers == 1);
  CHECK(s.requestHeaders() == HeaderList{{":path", "/new"}, {"x-a", "1"}});
}

TEST_CASE_FIXTURE(Fixture, "body: pause buffers, the next call sees everything, replace rewrites it") {
  host->startPlugin({"http"});
  std::vector<std::string> seen;
  int bodies = 0;
  test_plugin::hooks().on_request_body = [&](proxy_wasm::HttpContext& ctx, size_t size, bool eos) {
    ++bodies;
    auto body = ctx.getRequestBody();
    REQUIRE(body.ok());
    CHECK(body->size() == size);
    seen.push_back(body->str());
    if (!eos) return Action::Pause;
    CHECK(ctx.replaceRequestBody("[" + body->str() + "]") == Status::Ok);
    return Action::Continue;
  };
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  CHECK(s.sendRequestBody("ab") == Action::Pause);
  CHECK(s.forwardedRequestBody().empty());
  CHECK(s.sendRequestBody("cd", true) == Action::Continue);
  CHECK(bodies == 2);
  CHECK(seen == std::vector<std::string>{"ab", "abcd"});
  CHECK(s.forwardedRequestBody() == "[abcd]");
}

TEST_CASE_FIXTURE(Fixture, "headers pause holds the body until continueRequest") {
  host->startPlugin({"http"});
  proxy_wasm::HttpContext* paused = nullptr;
  test_plugin::hooks().on_request_headers = [&](proxy_wasm::HttpContext& ctx, size_t, bool) {
    paused = &ctx;
    return Action::Pause;
  };
  int ticks = 0;
  test_plugin::hooks().on_tick = [&](proxy_wasm::RootContext&) {
    ++ticks;
    REQUIRE(paused);
    CHECK(paused->continueRequest() == Status::Ok);
  };
  auto& s = host->newHttpStream();
  CHECK(s.sendRequestHeaders({{":path", "/"}}) == Action::Pause);
  s.sendRequestBody("held", true);
  CHECK(s.requestPaused());
  CHECK(std::count(trace().begin(), trace().end(), "request_body " + std::to_string(s.id())) == 0);
  host->tick();
  CHECK(ticks == 1);
  CHECK_FALSE(s.requestPaused());
  CHECK(s.forwardedRequestBody() == "held");
  CHECK(trace().back() == "request_body " + std::to_string(s.id()));
}

TEST_CASE_FIXTURE(Fixture, "local response stops the stream") {
  host->startPlugin({"http"});
  int headers = 0;
  test_plugin::hooks().on_request_headers = [&](proxy_wasm::HttpContext& ctx, size_t, bool) {
    ++headers;
    CHECK(ctx.sendLocalResponse(403, "denied", {{"x-why", "test"}}, "not allowed") == Status::Ok);
    return Action::Continue;
  };
  auto& s = host->newHttpStream();
  CHECK(s.sendRequestHeaders({{":path", "/"}}) == Action::Pause);
  CHECK(headers == 1);
  REQUIRE(s.localResponse());
  CHECK(s.localResponse()->status == 403);
  CHECK(s.localResponse()->body == "denied");
  CHECK(s.localResponse()->details == "not_allowed");
  CHECK(s.localResponse()->headers == HeaderList{{"x-why", "test"}});
  CHECK_FALSE(s.localResponse()->grpc_status);
  // Envoy encodes the reply through this filter too: the plugin sees it as the response.
  const std::string id = std::to_string(s.id());
  CHECK(std::vector<std::string>(trace().end() - 2, trace().end()) ==
        Trace{"response_headers " + id, "response_body " + id});
  CHECK(s.responseHeaders() ==
        HeaderList{{":status", "403"}, {"content-length", "6"}, {"content-type", "text/plain"}, {"x-why", "test"}});
  CHECK(s.forwardedResponseBody() == "denied");
  // Upstream traffic no longer reaches the plugin.
  CHECK(s.sendResponseHeaders({{":status", "200"}}) == Action::Continue);
  CHECK(s.responseHeaders().get(":status") == "403");
}

TEST_CASE_FIXTURE(Fixture, "a local reply to a gRPC request is a trailers-only gRPC response") {
  host->startPlugin({"http"});
  uint32_t grpc = uint32_t(proxy_wasm::GrpcStatus::None);
  int headers = 0;
  test_plugin::hooks().on_request_headers = [&](proxy_wasm::HttpContext& ctx, size_t, bool) {
    ++headers;
    CHECK(ctx.sendLocalResponse(403, "no access", {}, "denied", proxy_wasm::GrpcStatus(grpc)) == Status::Ok);
    return Action::Pause;
  };
  auto& mapped = host->newHttpStream();
  mapped.sendRequestHeaders({{":path", "/pkg.S/M"}, {"content-type", "application/grpc"}});
  CHECK(headers == 1);
  CHECK(mapped.responseHeaders() == HeaderList{{":status", "200"},
                                               {"content-type", "application/grpc"},
                                               {"grpc-status", "7"},  // 403 -> PERMISSION_DENIED
                                               {"grpc-message", "no access"}});
  CHECK(mapped.forwardedResponseBody().empty());
  grpc = uint32_t(proxy_wasm::GrpcStatus::Unavailable);
  auto& given = host->newHttpStream();
  given.sendRequestHeaders({{":path", "/pkg.S/M"}, {"content-type", "application/grpc+proto"}});
  CHECK(headers == 2);
  CHECK(given.responseHeaders().get("grpc-status") == "14");
}

TEST_CASE_FIXTURE(Fixture, "the plugin may edit its own local reply on the way out") {
  host->startPlugin({"http"});
  int request_headers = 0, response_headers = 0;
  test_plugin::hooks().on_request_headers = [&](proxy_wasm::HttpContext& ctx, size_t, bool) {
    ++request_headers;
    CHECK(ctx.sendLocalResponse(401, "", {}, "auth") == Status::Ok);
    return Action::Pause;
  };
  test_plugin::hooks().on_response_headers = [&](proxy_wasm::HttpContext& ctx, size_t, bool eos) {
    ++response_headers;
    CHECK(eos);  // no body
    CHECK(ctx.addResponseHeader("www-authenticate", "Basic") == Status::Ok);
    return Action::Continue;
  };
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  CHECK(request_headers == 1);
  CHECK(response_headers == 1);
  CHECK(s.responseHeaders() == HeaderList{{":status", "401"}, {"www-authenticate", "Basic"}});
  CHECK(s.responseHeadersForwarded());
}

TEST_CASE_FIXTURE(Fixture, "log levels: the host's level is read once per callback and filters before formatting") {
  HostOptions options;
  options.log_level = LogLevel::Warn;
  host = makeHost(options);
  host->startPlugin({"root_only"});
  int formatted = 0;
  struct Counted {
    int* n;
    operator std::string_view() const {
      ++*n;
      return "x";
    }
  };
  int ticks = 0;
  test_plugin::hooks().on_tick = [&](proxy_wasm::RootContext&) {
    ++ticks;
    proxy_wasm::logInfo("skipped ", 1);
    proxy_wasm::logDebug("skipped");
    proxy_wasm::logWarn("kept ", 2, " ", true, ' ', Status::NotFound);
    proxy_wasm::logError(std::string(300, 'y'));  // longer than the stack buffer
    proxy_wasm::log(LogLevel::Off, "never");
    proxy_wasm::logInfo(Counted{&formatted});
  };
  host->tick();
  CHECK(ticks == 1);
  CHECK(formatted == 0);
  CHECK(host->logs(LogLevel::Warn) == std::vector<std::string>{"kept 2 true NotFound"});
  CHECK(host->logs(LogLevel::Error) == std::vector<std::string>{std::string(300, 'y')});
  CHECK(host->logs(LogLevel::Info).empty());
  // Level 6 (off) from the host disables everything.
  host->setLogLevel(LogLevel::Off);
  host->clearLogs();
  host->tick();
  CHECK(ticks == 2);
  CHECK(host->logs().empty());
}

TEST_CASE_FIXTURE(Fixture, "host buffers are owned and freed (LeakSanitizer checks the sanitizer build)") {
  host->startPlugin({"http"});
  int headers = 0;
  test_plugin::hooks().on_request_headers = [&](proxy_wasm::HttpContext& ctx, size_t, bool) {
    ++headers;
    proxy_wasm::HostBuffer moved;
    {
      auto v = ctx.getRequestHeader("x-big");
      REQUIRE(v.ok());
      moved = std::move(*v);
    }
    CHECK(moved.size() == 1000);
    proxy_wasm::HostBuffer other = std::move(moved);
    CHECK(moved.empty());
    CHECK(other.view() == std::string(1000, 'z'));
    return Action::Continue;
  };
  host->newHttpStream().sendRequestHeaders({{"x-big", std::string(1000, 'z')}});
  CHECK(headers == 1);
}
