// The SDK against the host model: dispatch, registration, lifecycle, the status/result
// mapping of every hostcall, buffer ownership. Each case's plugin side (PLUGIN_CASE) runs
// inside real callbacks of the suites' plugin, natively and as sdk_cases.wasm in the engine
// (tests/sdk/sdk_case.h); every handler with checks has its runs counted.
#include "sdk_case.h"

#if SDK_CASE_PLUGIN
#include <string>
#include <vector>

using proxy_wasm::Action;
using proxy_wasm::HttpContext;
using proxy_wasm::LogLevel;
using proxy_wasm::RootContext;
using proxy_wasm::Status;
#else

using namespace proxy_wasm::testing;
using proxy_wasm::Action;
using proxy_wasm::LogLevel;
using proxy_wasm::Status;
using sdk_case::Fixture;
using Trace = std::vector<std::string>;
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("roots are keyed by context id: same root id, different configurations") {
  on.configure = [](RootContext& root) {
    auto config = root.pluginConfiguration();
    if (!PLUGIN_CHECK(config.ok())) return true;
    sdk_case::report("seen", std::string(root.rootId()) + "=" + config->str());
    return true;
  };
  // Streams of each root reach that root.
  on.request_headers = [](HttpContext& ctx, uint32_t, bool) {
    sdk_case::report("root_of_stream", std::to_string(ctx.root().id()));
    return Action::Continue;
  };
}
#else
TEST_CASE_FIXTURE(Fixture, "roots are keyed by context id: same root id, different configurations") {
  const uint32_t a = host->startPlugin({"http", "one"});
  const uint32_t b = host->startPlugin({"http", "two"});
  REQUIRE(a);
  REQUIRE(b);
  CHECK(ran("configure") == 2);
  CHECK(values("seen") == std::vector<std::string>{"http=one", "http=two"});
  CHECK(trace() == Trace{"start " + std::to_string(a), "configure " + std::to_string(a), "start " + std::to_string(b),
                         "configure " + std::to_string(b)});
  host->newHttpStream(b).sendRequestHeaders({{":path", "/"}});
  CHECK(ran("request_headers") == 1);
  CHECK(values("root_of_stream") == std::vector<std::string>{std::to_string(b)});
}
#endif

#if SDK_CASE_HOST
TEST_CASE_FIXTURE(Fixture, "several root ids in one module pick their own registrations") {
  const uint32_t http = host->startPlugin({"http"});
  const uint32_t tcp = host->startPlugin({"tcp"});
  REQUIRE(http);
  REQUIRE(tcp);
  auto& conn = host->newConnection(tcp);
  CHECK(conn.newConnectionAction() == Action::Continue);
  auto& stream = host->newHttpStream(http);
  stream.sendRequestHeaders({{":path", "/"}});
  REQUIRE(trace().size() >= 6);
  CHECK(trace()[4] == "new_connection " + std::to_string(conn.id()));
  CHECK(trace()[5] == "request_headers " + std::to_string(stream.id()));
}

TEST_CASE_FIXTURE(Fixture, "an unregistered root id fails to start with a clear log") {
  CHECK(host->startPlugin({"nobody"}) == 0);
  CHECK(host->failure().find("failed to start") != std::string::npos);
  REQUIRE(host->logs(LogLevel::Critical).size() == 1);
  CHECK(host->logs(LogLevel::Critical)[0] == "proxy-wasm: no context factory registered for root id 'nobody'");
}
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("onStart or onConfigure returning false fails the plugin") {
  on.configure = [](RootContext&) { return false; };
}
#else
TEST_CASE_FIXTURE(Fixture, "onStart or onConfigure returning false fails the plugin") {
  CHECK(host->startPlugin({"http"}) == 0);
  CHECK(ran("configure") == 1);
  CHECK(host->failure().find("rejected its configuration") != std::string::npos);
}
#endif

#if SDK_CASE_HOST
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
  CHECK(live() == 0);
}

TEST_CASE("the spec's finalization order is an option") {
  sdk_case::Session session;
  HostOptions options;
  options.http_finalization = Finalization::Spec;
  auto host = session.makeHost(options);
  host->startPlugin({"http"});
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/"}}, true);
  session.trace().clear();
  s.finish();
  const std::string id = std::to_string(s.id());
  CHECK(session.trace() == Trace{"done " + id, "log " + id, "delete " + id});
}
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("a root that defers onDone is deleted after finish()") {
  on.root_done = [](RootContext&) { return false; };
  on.tick = [](RootContext& root) { PLUGIN_CHECK(root.finish() == Status::Ok); };
}
#else
TEST_CASE_FIXTURE(Fixture, "a root that defers onDone is deleted after finish()") {
  const uint32_t root = host->startPlugin({"root_only"});
  host->shutdown();
  CHECK(ran("root_done") == 1);
  CHECK(host->contextAlive(root));
  host->tick(root);  // still ticks while parked; finishes from the tick
  CHECK(ran("tick") == 1);
  CHECK(trace().back() == "delete " + std::to_string(root));
  CHECK_FALSE(host->contextAlive(root));
}
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("finish() with nothing pending is NotFound") {
  on.tick = [](RootContext& root) { PLUGIN_CHECK(root.finish() == Status::NotFound); };
}
#else
TEST_CASE_FIXTURE(Fixture, "finish() with nothing pending is NotFound") {
  host->startPlugin({"root_only"});
  host->tick();
  CHECK(ran("tick") == 1);
}
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("header operations and their statuses") {
  on.request_headers = [](HttpContext& ctx, uint32_t n, bool eos) {
    PLUGIN_CHECK(n == 2);
    PLUGIN_CHECK(eos);
    auto path = ctx.getRequestHeader(":path");
    if (!PLUGIN_CHECK(path.ok())) return Action::Continue;
    PLUGIN_CHECK(path->view() == "/a");
    auto missing = ctx.getRequestHeader("x-missing");  // absent is not an error
    PLUGIN_CHECK(!missing.has_value());
    PLUGIN_CHECK(missing.ok());
    PLUGIN_CHECK(ctx.addRequestHeader("x-added", "1") == Status::Ok);
    PLUGIN_CHECK(ctx.addRequestHeader("X-Added", "2") == Status::Ok);
    PLUGIN_CHECK(ctx.replaceRequestHeader("x-host", "h2") == Status::Ok);
    PLUGIN_CHECK(ctx.removeRequestHeader("x-never-there") == Status::Ok);
    // Response headers do not exist yet.
    PLUGIN_CHECK(ctx.getResponseHeader(":status").status() == Status::BadArgument);
    PLUGIN_CHECK(ctx.addResponseHeader("x", "y") == Status::BadArgument);
    auto response = ctx.getResponseHeaders();
    if (!PLUGIN_CHECK(response.ok())) return Action::Continue;
    PLUGIN_CHECK(response->empty());
    auto all = ctx.getRequestHeaders();
    if (!PLUGIN_CHECK(all.ok())) return Action::Continue;
    PLUGIN_CHECK(all->size() == 4);
    PLUGIN_CHECK(ctx.getHeadersSize(proxy_wasm::MapType::HttpRequestHeaders).value() ==
                 std::string(":path/ax-hosth1").size() + 0 - 2 + 2 + std::string("x-added1x-added2").size() - 0);
    return Action::Continue;
  };
}
#else
TEST_CASE_FIXTURE(Fixture, "header operations and their statuses") {
  host->startPlugin({"http"});
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/a"}, {"x-host", "h1"}}, true);
  CHECK(ran("request_headers") == 1);
  CHECK(s.requestHeaders() == HeaderList{{":path", "/a"}, {"x-host", "h2"}, {"x-added", "1"}, {"x-added", "2"}});
}
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("setRequestHeaders replaces the whole map") {
  on.request_headers = [](HttpContext& ctx, uint32_t, bool) {
    PLUGIN_CHECK(ctx.setRequestHeaders({{":path", "/new"}, {"x-a", "1"}}) == Status::Ok);
    return Action::Continue;
  };
}
#else
TEST_CASE_FIXTURE(Fixture, "setRequestHeaders replaces the whole map") {
  host->startPlugin({"http"});
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/old"}, {"x-gone", "1"}});
  CHECK(ran("request_headers") == 1);
  CHECK(s.requestHeaders() == HeaderList{{":path", "/new"}, {"x-a", "1"}});
}
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("body: pause buffers, the next call sees everything, replace rewrites it") {
  on.request_body = [](HttpContext& ctx, size_t size, bool eos) {
    auto body = ctx.getRequestBody();
    if (!PLUGIN_CHECK(body.ok())) return Action::Continue;
    PLUGIN_CHECK(body->size() == size);
    sdk_case::report("seen", body->view());
    if (!eos) return Action::Pause;
    PLUGIN_CHECK(ctx.replaceRequestBody("[" + body->str() + "]") == Status::Ok);
    return Action::Continue;
  };
}
#else
TEST_CASE_FIXTURE(Fixture, "body: pause buffers, the next call sees everything, replace rewrites it") {
  host->startPlugin({"http"});
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  CHECK(s.sendRequestBody("ab") == Action::Pause);
  CHECK(s.forwardedRequestBody().empty());
  CHECK(s.sendRequestBody("cd", true) == Action::Continue);
  CHECK(ran("request_body") == 2);
  CHECK(values("seen") == std::vector<std::string>{"ab", "abcd"});
  CHECK(s.forwardedRequestBody() == "[abcd]");
}
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("headers pause holds the body until continueRequest") {
  static HttpContext* paused;
  paused = nullptr;
  on.request_headers = [](HttpContext& ctx, uint32_t, bool) {
    paused = &ctx;
    return Action::Pause;
  };
  on.tick = [](RootContext&) {
    if (!PLUGIN_CHECK(paused)) return;
    PLUGIN_CHECK(paused->continueRequest() == Status::Ok);
  };
}
#else
TEST_CASE_FIXTURE(Fixture, "headers pause holds the body until continueRequest") {
  host->startPlugin({"http"});
  auto& s = host->newHttpStream();
  CHECK(s.sendRequestHeaders({{":path", "/"}}) == Action::Pause);
  CHECK(ran("request_headers") == 1);
  s.sendRequestBody("held", true);
  CHECK(s.requestPaused());
  CHECK(std::count(trace().begin(), trace().end(), "request_body " + std::to_string(s.id())) == 0);
  host->tick();
  CHECK(ran("tick") == 1);
  CHECK_FALSE(s.requestPaused());
  CHECK(s.forwardedRequestBody() == "held");
  CHECK(trace().back() == "request_body " + std::to_string(s.id()));
}
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("local response stops the stream") {
  on.request_headers = [](HttpContext& ctx, uint32_t, bool) {
    PLUGIN_CHECK(ctx.sendLocalResponse(403, "denied", {{"x-why", "test"}}, "not allowed") == Status::Ok);
    return Action::Continue;
  };
}
#else
TEST_CASE_FIXTURE(Fixture, "local response stops the stream") {
  host->startPlugin({"http"});
  auto& s = host->newHttpStream();
  CHECK(s.sendRequestHeaders({{":path", "/"}}) == Action::Pause);
  CHECK(ran("request_headers") == 1);
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
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("a local reply to a gRPC request is a trailers-only gRPC response") {
  // The gRPC status to give: none for a request whose content-type is application/grpc
  // (mapped from the HTTP status), Unavailable for application/grpc+proto.
  on.request_headers = [](HttpContext& ctx, uint32_t, bool) {
    auto type = ctx.getRequestHeader("content-type");
    const bool given = type.ok() && type.has_value() && type->view() == "application/grpc+proto";
    const auto grpc = given ? proxy_wasm::GrpcStatus::Unavailable : proxy_wasm::GrpcStatus::None;
    PLUGIN_CHECK(ctx.sendLocalResponse(403, "no access", {}, "denied", grpc) == Status::Ok);
    return Action::Pause;
  };
}
#else
TEST_CASE_FIXTURE(Fixture, "a local reply to a gRPC request is a trailers-only gRPC response") {
  host->startPlugin({"http"});
  auto& mapped = host->newHttpStream();
  mapped.sendRequestHeaders({{":path", "/pkg.S/M"}, {"content-type", "application/grpc"}});
  CHECK(ran("request_headers") == 1);
  CHECK(mapped.responseHeaders() == HeaderList{{":status", "200"},
                                               {"content-type", "application/grpc"},
                                               {"grpc-status", "7"},  // 403 -> PERMISSION_DENIED
                                               {"grpc-message", "no access"}});
  CHECK(mapped.forwardedResponseBody().empty());
  auto& given = host->newHttpStream();
  given.sendRequestHeaders({{":path", "/pkg.S/M"}, {"content-type", "application/grpc+proto"}});
  CHECK(ran("request_headers") == 2);
  CHECK(given.responseHeaders().get("grpc-status") == "14");
}
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("the plugin may edit its own local reply on the way out") {
  on.request_headers = [](HttpContext& ctx, uint32_t, bool) {
    PLUGIN_CHECK(ctx.sendLocalResponse(401, "", {}, "auth") == Status::Ok);
    return Action::Pause;
  };
  on.response_headers = [](HttpContext& ctx, uint32_t, bool eos) {
    PLUGIN_CHECK(eos);  // no body
    PLUGIN_CHECK(ctx.addResponseHeader("www-authenticate", "Basic") == Status::Ok);
    return Action::Continue;
  };
}
#else
TEST_CASE_FIXTURE(Fixture, "the plugin may edit its own local reply on the way out") {
  host->startPlugin({"http"});
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  CHECK(ran("request_headers") == 1);
  CHECK(ran("response_headers") == 1);
  CHECK(s.responseHeaders() == HeaderList{{":status", "401"}, {"www-authenticate", "Basic"}});
  CHECK(s.responseHeadersForwarded());
}
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("log levels: the host's level is read once per callback and filters before formatting") {
  struct Counted {
    operator std::string_view() const {
      sdk_case::count("formatted");
      return "x";
    }
  };
  on.tick = [](RootContext&) {
    proxy_wasm::logInfo("skipped ", 1);
    proxy_wasm::logDebug("skipped");
    proxy_wasm::logWarn("kept ", 2, " ", true, ' ', Status::NotFound);
    proxy_wasm::logError(std::string(300, 'y'));  // longer than the stack buffer
    proxy_wasm::log(LogLevel::Off, "never");
    proxy_wasm::logInfo(Counted{});
  };
}
#else
TEST_CASE_FIXTURE(Fixture, "log levels: the host's level is read once per callback and filters before formatting") {
  HostOptions options;
  options.log_level = LogLevel::Warn;
  host = makeHost(options);
  host->startPlugin({"root_only"});
  host->tick();
  CHECK(ran("tick") == 1);
  CHECK(count("formatted") == 0);
  CHECK(host->logs(LogLevel::Warn) == std::vector<std::string>{"kept 2 true NotFound"});
  CHECK(host->logs(LogLevel::Error) == std::vector<std::string>{std::string(300, 'y')});
  CHECK(host->logs(LogLevel::Info).empty());
  // Level 6 (off) from the host disables everything.
  host->setLogLevel(LogLevel::Off);
  host->clearLogs();
  host->tick();
  CHECK(ran("tick") == 2);
  CHECK(host->logs().empty());
}
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("host buffers are owned and freed (LeakSanitizer checks the sanitizer build)") {
  on.request_headers = [](HttpContext& ctx, uint32_t, bool) {
    proxy_wasm::HostBuffer moved;
    {
      auto v = ctx.getRequestHeader("x-big");
      if (!PLUGIN_CHECK(v.ok())) return Action::Continue;
      moved = std::move(*v);
    }
    PLUGIN_CHECK(moved.size() == 1000);
    proxy_wasm::HostBuffer other = std::move(moved);
    PLUGIN_CHECK(moved.empty());
    PLUGIN_CHECK(other.view() == std::string(1000, 'z'));
    return Action::Continue;
  };
}
#else
TEST_CASE_FIXTURE(Fixture, "host buffers are owned and freed (LeakSanitizer checks the sanitizer build)") {
  host->startPlugin({"http"});
  host->newHttpStream().sendRequestHeaders({{"x-big", std::string(1000, 'z')}});
  CHECK(ran("request_headers") == 1);
}
#endif

// ---- The case framework itself (tests/sdk/sdk_case.h) -------------------------------------------
// A failed check in the plugin fails the case, natively and in the engine: these cases pass
// only when they fail (doctest's should_fail).

#if SDK_CASE_PLUGIN
PLUGIN_CASE("sdk_case: a failed PLUGIN_CHECK fails the case") {
  on.tick = [](RootContext&) { PLUGIN_CHECK(1 + 1 == 3); };
}
#else
TEST_CASE_FIXTURE(Fixture, "sdk_case: a failed PLUGIN_CHECK fails the case" * doctest::should_fail()) {
  host->startPlugin({"root_only"});
  host->tick();
  CHECK(ran("tick") == 1);
}
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("sdk_case: a failed PLUGIN_CHECK the host cannot be told of is logged and fails the case") {
  on.tick = [](RootContext&) { PLUGIN_CHECK(1 + 1 == 3); };
}
#else
TEST_CASE_FIXTURE(Fixture, "sdk_case: a failed PLUGIN_CHECK the host cannot be told of is logged and fails the case" *
                               doctest::should_fail()) {
  host->startPlugin({"root_only"});
  // Every report fails from now on: the failure comes back as a critical log line.
  host->injectStatus("proxy_call_foreign_function", Status::InternalFailure, FaultSchedule::always());
  host->tick();
  CHECK(host->logs(LogLevel::Critical).size() == 1);
}
#endif

// The example of docs/testing.md ("The SDK's own suites"), as printed there.
#if SDK_CASE_PLUGIN
PLUGIN_CASE("a local reply ends the request (docs/testing.md)") {          // compiled into the plugin
  on.request_headers = [](proxy_wasm::HttpContext& ctx, uint32_t, bool) {
    PLUGIN_CHECK(ctx.sendLocalResponse(403, "denied") == proxy_wasm::Status::Ok);
    return proxy_wasm::Action::Continue;
  };
}
#else
TEST_CASE_FIXTURE(sdk_case::Fixture, "a local reply ends the request (docs/testing.md)") {  // the test
  host->startPlugin({"http"});
  auto& s = host->newHttpStream();
  CHECK(s.sendRequestHeaders({{":path", "/"}}) == proxy_wasm::Action::Pause);
  CHECK(ran("request_headers") == 1);                     // the handler ran, once
  CHECK(s.localResponse()->status == 403);
}
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("the draft's actions on ABI v0.2.1: EndStream and Done continue, with a debug line") {
  on.request_headers = [](HttpContext&, uint32_t, bool) { return Action::EndStream; };
  on.response_headers = [](HttpContext&, uint32_t, bool) { return Action::Done; };
}
#else
TEST_CASE_FIXTURE(Fixture, "the draft's actions on ABI v0.2.1: EndStream and Done continue, with a debug line") {
  host->startPlugin({"http"});
  auto& s = host->newHttpStream();
  CHECK(s.sendRequestHeaders({{":path", "/"}}) == Action::Continue);
  CHECK(s.sendResponseHeaders({{":status", "200"}}) == Action::Continue);
  CHECK(ran("request_headers") == 1);
  CHECK(ran("response_headers") == 1);
  CHECK_FALSE(s.requestPaused());
  CHECK_FALSE(s.responsePaused());
  CHECK(s.requestHeadersForwarded());
  CHECK(s.responseHeadersForwarded());
  CHECK(host->logs(LogLevel::Debug) ==
        std::vector<std::string>{"proxy-wasm: Action::EndStream has no ABI v0.2.1 value; continuing",
                                 "proxy-wasm: Action::Done has no ABI v0.2.1 value; continuing"});
  CHECK_FALSE(host->failed());
}
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("the draft's actions on ABI v0.2.1: WaitForMoreData and WaitForEndOrFull buffer like Pause") {
  on.request_body = [](HttpContext& ctx, size_t size, bool eos) {
    sdk_case::report("sizes", std::to_string(size));
    if (!eos) return ctx.id() % 2 ? Action::WaitForMoreData : Action::WaitForEndOrFull;
    auto body = ctx.getRequestBody();
    if (PLUGIN_CHECK(body.ok())) sdk_case::report("whole", body->view());
    return Action::Continue;
  };
}
#else
TEST_CASE_FIXTURE(Fixture, "the draft's actions on ABI v0.2.1: WaitForMoreData and WaitForEndOrFull buffer like Pause") {
  host->startPlugin({"http"});
  for (int i = 0; i < 2; ++i) {  // one stream with an odd id, one with an even id
    auto& s = host->newHttpStream();
    s.sendRequestHeaders({{":path", "/"}});
    CHECK(s.sendRequestBody("ab") == Action::Pause);
    CHECK(s.forwardedRequestBody().empty());
    CHECK(s.sendRequestBody("cd", true) == Action::Continue);
    CHECK(s.forwardedRequestBody() == "abcd");
  }
  CHECK(ran("request_body") == 4);
  CHECK(values("sizes") == std::vector<std::string>{"2", "4", "2", "4"});
  CHECK(values("whole") == std::vector<std::string>{"abcd", "abcd"});
  CHECK(host->logs(LogLevel::Debug).empty());
}
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("the draft's actions on ABI v0.2.1: Close closes the callback's direction and pauses") {
  on.request_headers = [](HttpContext&, uint32_t, bool) { return Action::Close; };
  on.downstream_data = [](proxy_wasm::StreamContext&, size_t, bool) { return Action::Close; };
}
#else
TEST_CASE_FIXTURE(Fixture, "the draft's actions on ABI v0.2.1: Close closes the callback's direction and pauses") {
  const uint32_t http = host->startPlugin({"http"});
  const uint32_t tcp = host->startPlugin({"tcp"});
  auto& s = host->newHttpStream(http);
  CHECK(s.sendRequestHeaders({{":path", "/"}}) == Action::Pause);
  CHECK(ran("request_headers") == 1);
  CHECK(s.reset());  // Envoy resets the stream on proxy_close_stream(HttpRequest)
  CHECK_FALSE(s.requestHeadersForwarded());
  const auto& calls = host->hostCalls();
  CHECK(std::count_if(calls.begin(), calls.end(), [&](const HostCall& c) {
          return c.function == "proxy_close_stream" && c.context_id == s.id() && c.status == Status::Ok;
        }) == 1);

  auto& conn = host->newConnection(tcp);
  CHECK(conn.sendDownstreamData("x") == Action::Pause);
  CHECK(ran("downstream_data") == 1);
  CHECK(conn.closed());
  CHECK_FALSE(host->failed());
}
#endif
