// The SDK's context rules and lifetimes against the host model: which context each call
// acts on, from wherever it is made; what a host may delete, in which order; gRPC
// cancel/close; pass-through streams; the VM context; fatal errors. Each case's plugin side
// (PLUGIN_CASE) runs natively and as sdk_cases.wasm in the engine (tests/sdk/sdk_case.h);
// every handler's run is counted.
#include "sdk_case.h"

#if SDK_CASE_PLUGIN
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

using proxy_wasm::Action;
using proxy_wasm::GrpcStatus;
using proxy_wasm::HttpContext;
using proxy_wasm::RootContext;
using proxy_wasm::Status;
using namespace std::chrono_literals;
#else
using namespace proxy_wasm::testing;
using proxy_wasm::Action;
using proxy_wasm::GrpcStatus;
using proxy_wasm::LogLevel;
using proxy_wasm::Status;
using sdk_case::Fixture;
using Strings = std::vector<std::string>;

namespace {
std::vector<std::string> logsOf(const Host& host, uint32_t id) {
  std::vector<std::string> out;
  for (const auto& e : host.logs())
    if (e.context_id == id) out.push_back(e.message);
  return out;
}
}  // namespace
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("a stream's calls act on it after a call on its root, and its log lines are its own") {
  on.request_headers = [](HttpContext& ctx, uint32_t, bool) {
    if (!PLUGIN_CHECK(ctx.root().addOneShotTimer(10ms, [] {}).ok())) return Action::Continue;  // acts on the root
    PLUGIN_CHECK(ctx.addRequestHeader("x-after", "1") == Status::Ok);
    auto path = ctx.getRequestHeader(":path");
    PLUGIN_CHECK(path.ok());
    PLUGIN_CHECK(path.value().view() == "/p");
    proxy_wasm::logInfo("stream line");
    return Action::Continue;
  };
}
#else
TEST_CASE_FIXTURE(Fixture, "a stream's calls act on it after a call on its root, and its log lines are its own") {
  const uint32_t root = host->startPlugin({"http"});
  auto& s = host->newHttpStream(root);
  s.sendRequestHeaders({{":path", "/p"}});
  CHECK(ran("request_headers") == 1);
  CHECK(s.requestHeaders().get("x-after") == "1");
  CHECK(logsOf(*host, s.id()) == Strings{"stream line"});
  CHECK(host->tickPeriod(root) == 10);
  CHECK(host->violations().empty());
}
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("a paused stream is edited and resumed from its root's tick") {
  static HttpContext* paused;
  paused = nullptr;
  on.request_headers = [](HttpContext& ctx, uint32_t, bool) {
    paused = &ctx;
    return Action::Pause;
  };
  on.tick = [](RootContext&) {
    if (!PLUGIN_CHECK(paused)) return;
    PLUGIN_CHECK(paused->addRequestHeader("x-from-tick", "1") == Status::Ok);
    PLUGIN_CHECK(paused->getRequestHeader(":path").value().view() == "/p");
    PLUGIN_CHECK(paused->continueRequest() == Status::Ok);
    proxy_wasm::logInfo("root line");  // the root's work: attributed to the root
  };
}
#else
TEST_CASE_FIXTURE(Fixture, "a paused stream is edited and resumed from its root's tick") {
  const uint32_t root = host->startPlugin({"http"});
  auto& s = host->newHttpStream(root);
  REQUIRE(s.sendRequestHeaders({{":path", "/p"}}) == Action::Pause);
  host->tick(root);
  CHECK(ran("tick") == 1);
  CHECK_FALSE(s.requestPaused());
  CHECK(s.requestHeaders().get("x-from-tick") == "1");
  CHECK(logsOf(*host, root) == Strings{"root line"});
  CHECK(host->violations().empty());
}
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("a host that deletes the root before its streams leaves no stream pointing at freed memory") {
  on.request_headers = [](HttpContext&, uint32_t, bool) { return Action::Continue; };
  on.deleted = [](proxy_wasm::ContextBase& ctx) {
    // A stream reads its root after the root's deletion.
    sdk_case::report("root_id", ctx.root().rootId());
  };
}
#else
TEST_CASE_FIXTURE(Fixture, "a host that deletes the root before its streams leaves no stream pointing at freed memory") {
  const uint32_t root = host->startPlugin({"http"});
  auto& s = host->newHttpStream(root);
  s.sendRequestHeaders({{":path", "/"}});
  const int before = live();
  // The host deletes the root first (a guest call, as a host tearing a plugin down).
  REQUIRE(host->guest().call(proxy_wasm::host::Callback::Delete, {root}).ok);
  CHECK(live() == before);  // the root object waits for its stream
  s.finish();
  CHECK(ran("deleted") == 2);
  CHECK(values("root_id") == Strings{"http", "http"});
  CHECK(live() == before - 2);  // stream and root freed
  CHECK(ran("request_headers") == 1);
}
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("a stream deleted inside its own callout callback is freed after it") {
  on.request_headers = [](HttpContext& ctx, uint32_t, bool) {
    const uint32_t root = ctx.root().id();
    auto call = ctx.httpCall(proxy_wasm::HttpRequest("c").headers({{":method", "GET"}, {":path", "/"}, {":authority", "a"}}),
                             [&ctx, root](const proxy_wasm::HttpCallResponse&) {
                               sdk_case::count("responses");
                               // The host deletes this very stream while its callback runs.
                               PLUGIN_CHECK(ctx.callForeignFunction("end_stream", std::to_string(ctx.id())).ok());
                               // The object is still usable until the callback returns.
                               PLUGIN_CHECK(ctx.root().id() == root);
                               PLUGIN_CHECK(ctx.kind() == proxy_wasm::ContextKind::Http);
                             });
    PLUGIN_CHECK(call.ok());
    return Action::Pause;
  };
}
#else
TEST_CASE_FIXTURE(Fixture, "a stream deleted inside its own callout callback is freed after it") {
  const uint32_t root = host->startPlugin({"http"});
  int deletions = 0;
  // A host can only call into the module from inside a host call: here a foreign function
  // that deletes the calling stream, as a host tearing the stream down would.
  host->registerForeignFunction("end_stream", [&](std::string_view args, std::string&) {
    ++deletions;
    const uint32_t id = uint32_t(std::stoul(std::string(args)));
    REQUIRE(host->guest().call(proxy_wasm::host::Callback::Delete, {id}).ok);
    return Status::Ok;
  });
  const int before = live();
  auto& s = host->newHttpStream(root);
  s.sendRequestHeaders({{":path", "/"}});
  CHECK(ran("request_headers") == 1);
  CHECK(live() == before + 1);
  REQUIRE(host->respondHttpCall(host->httpCalls()[0].token, {{":status", "200"}}));
  CHECK(count("responses") == 1);
  CHECK(deletions == 1);
  CHECK(live() == before);  // freed once the callback returned
  CHECK_FALSE(host->failed());
}
#endif

#if SDK_CASE_PLUGIN
namespace {
// Counts itself (made/freed) and reports its events ("log").
struct Events : proxy_wasm::GrpcStreamHandler {
  Events() { sdk_case::count("events.made"); }
  ~Events() override { sdk_case::count("events.freed"); }
  void onMessage(size_t size) override { sdk_case::report("log", "message " + std::to_string(size)); }
  void onClose(GrpcStatus status) override { sdk_case::report("log", "close " + std::to_string(uint32_t(status))); }
};
}  // namespace

PLUGIN_CASE("gRPC streams: cancel frees the handler at once; a remote close is closed on our side") {
  on.tick = [](RootContext& root) {
    auto a = std::make_unique<Events>();
    Events* to_cancel = a.get();
    auto t1 = root.grpcStream(proxy_wasm::GrpcRequest("grpc", "S", "M"), std::move(a));
    auto t2 = root.grpcStream(proxy_wasm::GrpcRequest("grpc", "S", "M"), std::make_unique<Events>());
    if (!PLUGIN_CHECK(t1.ok()) || !PLUGIN_CHECK(t2.ok())) return;
    sdk_case::report("cancelled", std::to_string(*t1));
    sdk_case::report("closed", std::to_string(*t2));
    PLUGIN_CHECK(to_cancel->cancel() == Status::Ok);
  };
}
#else
TEST_CASE_FIXTURE(Fixture, "gRPC streams: cancel frees the handler at once; a remote close is closed on our side") {
  host->startPlugin({"root_only"});
  auto alive = [&] { return count("events.made") - count("events.freed"); };
  host->tick();
  CHECK(ran("tick") == 1);
  CHECK(count("events.made") == 2);
  CHECK(alive() == 1);  // the cancelled stream's handler is gone with the callback
  REQUIRE(values("cancelled").size() == 1);
  REQUIRE(values("closed").size() == 1);
  const uint32_t cancelled = uint32_t(std::stoul(values("cancelled")[0]));
  const uint32_t closed = uint32_t(std::stoul(values("closed")[0]));
  CHECK(host->grpcCall(cancelled)->cancelled);
  CHECK_FALSE(host->grpcMessage(cancelled, "late"));  // the host forgot it
  // The remote closes the other stream: onClose, then the SDK closes its side (Envoy keeps
  // a remotely closed stream until the plugin closes it too) and frees the handler.
  CHECK(host->grpcClose(closed, GrpcStatus::Unavailable, "gone"));
  CHECK(values("log") == Strings{"close 14"});
  CHECK(host->grpcCall(closed)->local_closed);
  CHECK(alive() == 0);
  CHECK(host->violations().empty());
}
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("a context deleted with gRPC calls and streams open cancels them at the host") {
  on.request_headers = [](HttpContext& ctx, uint32_t, bool) {
    PLUGIN_CHECK(ctx.grpcStream(proxy_wasm::GrpcRequest("grpc", "S", "M"), std::make_unique<Events>()).ok());
    PLUGIN_CHECK(ctx.grpcCall(proxy_wasm::GrpcRequest("grpc", "S", "U").message("m"),
                              [](const proxy_wasm::GrpcCallResponse&) { PLUGIN_FAIL("a cancelled call never answers"); })
                     .ok());
    return Action::Continue;
  };
}
#else
TEST_CASE_FIXTURE(Fixture, "a context deleted with gRPC calls and streams open cancels them at the host") {
  const uint32_t root = host->startPlugin({"http"});
  auto& s = host->newHttpStream(root);
  s.sendRequestHeaders({{":path", "/"}});
  REQUIRE(ran("request_headers") == 1);
  REQUIRE(host->grpcCalls().size() == 2);
  CHECK(count("events.made") == 1);
  s.finish();
  CHECK(count("events.made") - count("events.freed") == 0);
  for (const auto& call : host->grpcCalls()) CHECK(call.cancelled);
  CHECK(values("log").empty());
}

TEST_CASE_FIXTURE(Fixture, "a root-only plugin used as a filter: streams pass, one log line per root") {
  const uint32_t root = host->startPlugin({"root_only"});
  for (int i = 0; i < 3; ++i) {
    auto& s = host->newHttpStream(root);
    CHECK(s.sendRequestHeaders({{":path", "/"}}) == Action::Continue);
    CHECK(s.sendResponseHeaders({{":status", "200"}}) == Action::Continue);
    s.finish();
  }
  CHECK(host->logs(LogLevel::Error).empty());
  CHECK(host->logs(LogLevel::Info) ==
        Strings{"proxy-wasm: root id 'root_only' registered no stream context type; its streams pass through the plugin"});
}
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("the VM context starts once per VM, before the roots; false fails the start") {
  // The first host has a VM configuration ("vm-cfg"); the second none, and its VM refuses
  // to start.
  on.vm_start = [](proxy_wasm::VmContext& vm, size_t size) {
    if (size == 0) return false;
    PLUGIN_CHECK(size == 6);
    PLUGIN_CHECK(vm.vmConfiguration().value().view() == "vm-cfg");
    return true;
  };
}
#else
TEST_CASE_FIXTURE(Fixture, "the VM context starts once per VM, before the roots; false fails the start") {
  const int made = count("vm.made");
  HostOptions options;
  options.vm_configuration = "vm-cfg";
  host.reset();  // natively the plugin (and its VM state) is one per process: one host at a time
  host = makeHost(options);
  CHECK(host->startPlugin({"http"}) != 0);
  CHECK(host->startPlugin({"tcp"}) != 0);
  CHECK(ran("vm_start") == 1);
  CHECK(count("vm.made") == made + 1);

  host.reset();
  host = makeHost();
  CHECK(host->startPlugin({"http"}) == 0);
  CHECK(ran("vm_start") == 2);
  CHECK(host->logs(LogLevel::Critical) ==
        Strings{"proxy-wasm: VmContext::onVmStart returned false: the VM does not start"});
}
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("Result::value() on an error is a fatal plugin error, recorded as a trap in the callback") {
  on.tick = [](RootContext& root) {
    auto config = root.pluginConfiguration();  // NotFound outside onConfigure
    if (!PLUGIN_CHECK(!config.ok())) return;
    (void)config.value();  // traps
    PLUGIN_FAIL("not reached");
  };
}
#else
TEST_CASE_FIXTURE(Fixture, "Result::value() on an error is a fatal plugin error, recorded as a trap in the callback") {
  host->startPlugin({"root_only"});
  host->tick();
  CHECK(ran("tick") == 1);
  CHECK(host->failed());
  // Natively the trap carries the SDK's reason; an engine reports the wasm trap in that
  // callback (as Envoy's would), and the reason is in the plugin's critical line.
  if (pluginUnderTestName() == "native") {
    CHECK(host->failure().find("proxy_wasm::Result::value() on error status NotFound") != std::string::npos);
  } else {
    CHECK(host->failure().find("trap in proxy_on_tick: unreachable") == 0);
  }
  CHECK(host->logs(LogLevel::Critical) == Strings{"proxy_wasm::Result::value() on error status NotFound"});
}
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("trailers are replaced whole; TCP data is prepended and appended") {
  on.request_trailers = [](HttpContext& ctx, uint32_t) {
    std::vector<std::pair<std::string, std::string>> fresh{{"x-t", "1"}, {"x-u", "2"}};
    PLUGIN_CHECK(ctx.setRequestTrailers(fresh) == Status::Ok);
    return Action::Continue;
  };
  on.downstream_data = [](proxy_wasm::StreamContext& ctx, size_t, bool) {
    PLUGIN_CHECK(ctx.prependDownstreamData("<") == Status::Ok);
    PLUGIN_CHECK(ctx.appendDownstreamData(">") == Status::Ok);
    return Action::Continue;
  };
}
#else
TEST_CASE_FIXTURE(Fixture, "trailers are replaced whole; TCP data is prepended and appended") {
  const uint32_t http = host->startPlugin({"http"});
  const uint32_t tcp = host->startPlugin({"tcp"});
  auto& s = host->newHttpStream(http);
  s.sendRequestHeaders({{":path", "/"}});
  s.sendRequestTrailers({{"x-old", "0"}});
  CHECK(ran("request_trailers") == 1);
  CHECK(s.requestTrailers() == HeaderList{{"x-t", "1"}, {"x-u", "2"}});
  auto& c = host->newConnection(tcp);
  c.sendDownstreamData("data");
  CHECK(ran("downstream_data") == 1);
  CHECK(c.forwardedDownstream() == "<data>");
}
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("tagged metrics define one stat per tag combination, on first use") {
  on.tick = [](RootContext&) {
    auto family = proxy_wasm::TaggedCounter<std::string_view, uint32_t>::define("responses", {"method", "code"});
    if (!PLUGIN_CHECK(family.ok())) return;
    PLUGIN_CHECK(family->increment(1, "GET", 200) == Status::Ok);
    PLUGIN_CHECK(family->increment(2, "GET", 200) == Status::Ok);
    PLUGIN_CHECK(family->increment(1, "POST", 503) == Status::Ok);
    PLUGIN_CHECK(family->size() == 2);
    PLUGIN_CHECK(family->value("GET", 200).value() == 3);
  };
}
#else
TEST_CASE_FIXTURE(Fixture, "tagged metrics define one stat per tag combination, on first use") {
  host->startPlugin({"root_only"});
  host->tick();
  CHECK(ran("tick") == 1);
  CHECK(host->counter("method.GET.code.200.responses") == 3u);
  CHECK(host->counter("method.POST.code.503.responses") == 1u);
}
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("timers: thousands per root fire in due order; a failed arm leaves no timer") {
  static int configured;
  configured = 0;
  on.tick = [](RootContext& r) {
    if (configured++) return;
    for (int i = 4000; i > 0; --i) {
      auto t = r.addOneShotTimer(std::chrono::milliseconds(i), [i] { sdk_case::report("fired", std::to_string(i)); });
      if (!PLUGIN_CHECK(t.ok())) return;
    }
    PLUGIN_CHECK(r.timerCount() == 4000);
  };
}
#else
TEST_CASE_FIXTURE(Fixture, "timers: thousands per root fire in due order; a failed arm leaves no timer") {
  const uint32_t root = host->startPlugin({"root_only"});
  host->tick(root);
  CHECK(ran("tick") == 1);
  host->advanceTime(4000);
  const auto fired = values("fired");
  REQUIRE(fired.size() == 4000);
  bool ordered = true;
  for (size_t i = 0; i < fired.size(); ++i) ordered = ordered && fired[i] == std::to_string(i + 1);
  CHECK(ordered);
  CHECK(host->tickPeriod(root) == 0);
}
#endif
