// The SDK's context rules and lifetimes against the host model: which context each call
// acts on, from wherever it is made; what a host may delete, in which order; gRPC
// cancel/close; pass-through streams; the VM context; fatal errors. Test code runs inside
// real callbacks through test_plugin's hooks; every hook's run is counted.
#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "test_plugin.h"

using namespace proxy_wasm::testing;
using proxy_wasm::Action;
using proxy_wasm::GrpcStatus;
using proxy_wasm::LogLevel;
using proxy_wasm::Status;
using namespace std::chrono_literals;

namespace {
struct Fixture {
  Fixture() { test_plugin::reset(); }
  ~Fixture() { test_plugin::reset(); }
  std::unique_ptr<Host> host = makeHost();
};

std::vector<std::string> logsOf(const Host& host, uint32_t id) {
  std::vector<std::string> out;
  for (const auto& e : host.logs())
    if (e.context_id == id) out.push_back(e.message);
  return out;
}
}  // namespace

TEST_CASE_FIXTURE(Fixture, "a stream's calls act on it after a call on its root, and its log lines are its own") {
  const uint32_t root = host->startPlugin({"http"});
  int ran = 0;
  test_plugin::hooks().on_request_headers = [&](proxy_wasm::HttpContext& ctx, size_t, bool) {
    ++ran;
    REQUIRE(ctx.root().addOneShotTimer(10ms, [] {}).ok());  // acts on the root
    CHECK(ctx.addRequestHeader("x-after", "1") == Status::Ok);
    auto path = ctx.getRequestHeader(":path");
    CHECK(path.ok());
    CHECK(path.value().view() == "/p");
    proxy_wasm::logInfo("stream line");
    return Action::Continue;
  };
  auto& s = host->newHttpStream(root);
  s.sendRequestHeaders({{":path", "/p"}});
  CHECK(ran == 1);
  CHECK(s.requestHeaders().get("x-after") == "1");
  CHECK(logsOf(*host, s.id()) == std::vector<std::string>{"stream line"});
  CHECK(host->tickPeriod(root) == 10);
  CHECK(host->violations().empty());
}

TEST_CASE_FIXTURE(Fixture, "a paused stream is edited and resumed from its root's tick") {
  const uint32_t root = host->startPlugin({"http"});
  proxy_wasm::HttpContext* paused = nullptr;
  int ticks = 0;
  test_plugin::hooks().on_request_headers = [&](proxy_wasm::HttpContext& ctx, size_t, bool) {
    paused = &ctx;
    return Action::Pause;
  };
  test_plugin::hooks().on_tick = [&](proxy_wasm::RootContext&) {
    ++ticks;
    REQUIRE(paused);
    CHECK(paused->addRequestHeader("x-from-tick", "1") == Status::Ok);
    CHECK(paused->getRequestHeader(":path").value().view() == "/p");
    CHECK(paused->continueRequest() == Status::Ok);
    proxy_wasm::logInfo("root line");  // the root's work: attributed to the root
  };
  auto& s = host->newHttpStream(root);
  REQUIRE(s.sendRequestHeaders({{":path", "/p"}}) == Action::Pause);
  host->tick(root);
  CHECK(ticks == 1);
  CHECK_FALSE(s.requestPaused());
  CHECK(s.requestHeaders().get("x-from-tick") == "1");
  CHECK(logsOf(*host, root) == std::vector<std::string>{"root line"});
  CHECK(host->violations().empty());
}

TEST_CASE_FIXTURE(Fixture, "a host that deletes the root before its streams leaves no stream pointing at freed memory") {
  const uint32_t root = host->startPlugin({"http"});
  int deletes = 0, headers = 0;
  std::string seen_root_id;
  test_plugin::hooks().on_request_headers = [&](proxy_wasm::HttpContext&, size_t, bool) {
    ++headers;
    return Action::Continue;
  };
  test_plugin::hooks().on_delete = [&](proxy_wasm::ContextBase& ctx) {
    ++deletes;
    seen_root_id = std::string(ctx.root().rootId());  // a stream reads its root after the root's deletion
  };
  auto& s = host->newHttpStream(root);
  s.sendRequestHeaders({{":path", "/"}});
  const int live = test_plugin::liveContexts();
  // The host deletes the root first (a native guest call, as a host tearing a plugin down).
  REQUIRE(host->guest().call(proxy_wasm::host::Callback::Delete, {root}).ok);
  CHECK(test_plugin::liveContexts() == live);  // the root object waits for its stream
  s.finish();
  CHECK(deletes == 2);
  CHECK(seen_root_id == "http");
  CHECK(test_plugin::liveContexts() == live - 2);  // stream and root freed
  CHECK(headers == 1);
}

TEST_CASE_FIXTURE(Fixture, "a stream deleted inside its own callout callback is freed after it") {
  const uint32_t root = host->startPlugin({"http"});
  int responses = 0, deletions = 0;
  // A host can only call into the module from inside a host call: here a foreign function
  // that deletes the calling stream, as a host tearing the stream down would.
  host->registerForeignFunction("end_stream", [&](std::string_view args, std::string&) {
    ++deletions;
    const uint32_t id = uint32_t(std::stoul(std::string(args)));
    REQUIRE(host->guest().call(proxy_wasm::host::Callback::Delete, {id}).ok);
    return Status::Ok;
  });
  const int before = test_plugin::liveContexts();
  test_plugin::hooks().on_request_headers = [&](proxy_wasm::HttpContext& ctx, size_t, bool) {
    auto call = ctx.httpCall(proxy_wasm::HttpRequest("c").headers({{":method", "GET"}, {":path", "/"}, {":authority", "a"}}),
                             [&ctx, &responses, root](const proxy_wasm::HttpCallResponse&) {
                               ++responses;
                               // The host deletes this very stream while its callback runs.
                               CHECK(ctx.callForeignFunction("end_stream", std::to_string(ctx.id())).ok());
                               // The object is still usable until the callback returns.
                               CHECK(ctx.root().id() == root);
                               CHECK(ctx.kind() == proxy_wasm::ContextKind::Http);
                             });
    CHECK(call.ok());
    return Action::Pause;
  };
  auto& s = host->newHttpStream(root);
  s.sendRequestHeaders({{":path", "/"}});
  CHECK(test_plugin::liveContexts() == before + 1);
  REQUIRE(host->respondHttpCall(host->httpCalls()[0].token, {{":status", "200"}}));
  CHECK(responses == 1);
  CHECK(deletions == 1);
  CHECK(test_plugin::liveContexts() == before);  // freed once the callback returned
  CHECK_FALSE(host->failed());
}

namespace {
struct Events : proxy_wasm::GrpcStreamHandler {
  explicit Events(std::vector<std::string>* log, int* alive) : log_(log), alive_(alive) { ++*alive_; }
  ~Events() override { --*alive_; }
  void onMessage(size_t size) override { log_->push_back("message " + std::to_string(size)); }
  void onClose(GrpcStatus status) override { log_->push_back("close " + std::to_string(uint32_t(status))); }
  std::vector<std::string>* log_;
  int* alive_;
};
}  // namespace

TEST_CASE_FIXTURE(Fixture, "gRPC streams: cancel frees the handler at once; a remote close is closed on our side") {
  host->startPlugin({"root_only"});
  std::vector<std::string> log;
  int alive = 0, ticks = 0;
  uint32_t cancelled = 0, closed = 0;
  Events* to_cancel = nullptr;
  test_plugin::hooks().on_tick = [&](proxy_wasm::RootContext& root) {
    ++ticks;
    auto a = std::make_unique<Events>(&log, &alive);
    to_cancel = a.get();
    auto t1 = root.grpcStream(proxy_wasm::GrpcRequest("grpc", "S", "M"), std::move(a));
    auto t2 = root.grpcStream(proxy_wasm::GrpcRequest("grpc", "S", "M"), std::make_unique<Events>(&log, &alive));
    REQUIRE(t1.ok());
    REQUIRE(t2.ok());
    cancelled = *t1;
    closed = *t2;
    CHECK(alive == 2);
    CHECK(to_cancel->cancel() == Status::Ok);
  };
  host->tick();
  CHECK(ticks == 1);
  CHECK(alive == 1);  // the cancelled stream's handler is gone with the callback
  CHECK(host->grpcCall(cancelled)->cancelled);
  CHECK_FALSE(host->grpcMessage(cancelled, "late"));  // the host forgot it
  // The remote closes the other stream: onClose, then the SDK closes its side (Envoy keeps
  // a remotely closed stream until the plugin closes it too) and frees the handler.
  CHECK(host->grpcClose(closed, GrpcStatus::Unavailable, "gone"));
  CHECK(log == std::vector<std::string>{"close 14"});
  CHECK(host->grpcCall(closed)->local_closed);
  CHECK(alive == 0);
  CHECK(host->violations().empty());
}

TEST_CASE_FIXTURE(Fixture, "a context deleted with gRPC calls and streams open cancels them at the host") {
  const uint32_t root = host->startPlugin({"http"});
  int alive = 0, headers = 0;
  std::vector<std::string> log;
  test_plugin::hooks().on_request_headers = [&](proxy_wasm::HttpContext& ctx, size_t, bool) {
    ++headers;
    CHECK(ctx.grpcStream(proxy_wasm::GrpcRequest("grpc", "S", "M"), std::make_unique<Events>(&log, &alive)).ok());
    CHECK(ctx.grpcCall(proxy_wasm::GrpcRequest("grpc", "S", "U").message("m"),
                       [](const proxy_wasm::GrpcCallResponse&) { FAIL("a cancelled call never answers"); })
              .ok());
    return Action::Continue;
  };
  auto& s = host->newHttpStream(root);
  s.sendRequestHeaders({{":path", "/"}});
  REQUIRE(headers == 1);
  REQUIRE(host->grpcCalls().size() == 2);
  s.finish();
  CHECK(alive == 0);
  for (const auto& call : host->grpcCalls()) CHECK(call.cancelled);
  CHECK(log.empty());
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
        std::vector<std::string>{"proxy-wasm: root id 'root_only' registered no stream context type; its streams pass through the plugin"});
}

TEST_CASE_FIXTURE(Fixture, "the VM context starts once per VM, before the roots; false fails the start") {
  const int made = test_plugin::vmContextsMade();
  int vm_starts = 0;
  test_plugin::hooks().on_vm_start = [&](proxy_wasm::VmContext& vm, size_t size) {
    ++vm_starts;
    CHECK(size == 6);
    CHECK(vm.vmConfiguration().value().view() == "vm-cfg");
    return true;
  };
  HostOptions options;
  options.vm_configuration = "vm-cfg";
  host.reset();  // natively the plugin (and its VM state) is one per process: one host at a time
  host = makeHost(options);
  CHECK(host->startPlugin({"http"}) != 0);
  CHECK(host->startPlugin({"tcp"}) != 0);
  CHECK(vm_starts == 1);
  CHECK(test_plugin::vmContextsMade() == made + 1);

  test_plugin::hooks().on_vm_start = [&](proxy_wasm::VmContext&, size_t) {
    ++vm_starts;
    return false;
  };
  host.reset();
  host = makeHost();
  CHECK(host->startPlugin({"http"}) == 0);
  CHECK(vm_starts == 2);
  CHECK(host->logs(LogLevel::Critical) ==
        std::vector<std::string>{"proxy-wasm: VmContext::onVmStart returned false: the VM does not start"});
}

TEST_CASE_FIXTURE(Fixture, "Result::value() on an error is a fatal plugin error, recorded as a trap in the callback") {
  host->startPlugin({"root_only"});
  int ticks = 0;
  test_plugin::hooks().on_tick = [&](proxy_wasm::RootContext& root) {
    ++ticks;
    auto config = root.pluginConfiguration();  // NotFound outside onConfigure
    REQUIRE_FALSE(config.ok());
    (void)config.value();  // traps
    FAIL("not reached");
  };
  host->tick();
  CHECK(ticks == 1);
  CHECK(host->failed());
  CHECK(host->failure().find("proxy_wasm::Result::value() on error status NotFound") != std::string::npos);
  CHECK(host->logs(LogLevel::Critical) ==
        std::vector<std::string>{"proxy_wasm::Result::value() on error status NotFound"});
}

TEST_CASE_FIXTURE(Fixture, "trailers are replaced whole; TCP data is prepended and appended") {
  const uint32_t http = host->startPlugin({"http"});
  const uint32_t tcp = host->startPlugin({"tcp"});
  int trailers = 0, data = 0;
  test_plugin::hooks().on_request_trailers = [&](proxy_wasm::HttpContext& ctx, uint32_t) {
    ++trailers;
    std::vector<std::pair<std::string, std::string>> fresh{{"x-t", "1"}, {"x-u", "2"}};
    CHECK(ctx.setRequestTrailers(fresh) == Status::Ok);
    return Action::Continue;
  };
  test_plugin::hooks().on_downstream_data = [&](proxy_wasm::StreamContext& ctx, size_t, bool) {
    ++data;
    CHECK(ctx.prependDownstreamData("<") == Status::Ok);
    CHECK(ctx.appendDownstreamData(">") == Status::Ok);
    return Action::Continue;
  };
  auto& s = host->newHttpStream(http);
  s.sendRequestHeaders({{":path", "/"}});
  s.sendRequestTrailers({{"x-old", "0"}});
  CHECK(trailers == 1);
  CHECK(s.requestTrailers() == HeaderList{{"x-t", "1"}, {"x-u", "2"}});
  auto& c = host->newConnection(tcp);
  c.sendDownstreamData("data");
  CHECK(data == 1);
  CHECK(c.forwardedDownstream() == "<data>");
}

TEST_CASE_FIXTURE(Fixture, "tagged metrics define one stat per tag combination, on first use") {
  host->startPlugin({"root_only"});
  int ticks = 0;
  test_plugin::hooks().on_tick = [&](proxy_wasm::RootContext&) {
    ++ticks;
    auto family = proxy_wasm::TaggedCounter<std::string_view, uint32_t>::define("responses", {"method", "code"});
    REQUIRE(family.ok());
    CHECK(family->increment(1, "GET", 200) == Status::Ok);
    CHECK(family->increment(2, "GET", 200) == Status::Ok);
    CHECK(family->increment(1, "POST", 503) == Status::Ok);
    CHECK(family->size() == 2);
    CHECK(family->value("GET", 200).value() == 3);
  };
  host->tick();
  CHECK(ticks == 1);
  CHECK(host->counter("method.GET.code.200.responses") == 3u);
  CHECK(host->counter("method.POST.code.503.responses") == 1u);
}

TEST_CASE_FIXTURE(Fixture, "timers: thousands per root fire in due order; a failed arm leaves no timer") {
  const uint32_t root = host->startPlugin({"root_only"});
  std::vector<int> fired;
  int configured = 0;
  test_plugin::hooks().on_tick = [&](proxy_wasm::RootContext& r) {
    if (configured++) return;
    for (int i = 4000; i > 0; --i) {
      auto t = r.addOneShotTimer(std::chrono::milliseconds(i), [&fired, i] { fired.push_back(i); });
      REQUIRE(t.ok());
    }
    CHECK(r.timerCount() == 4000);
  };
  host->tick(root);
  CHECK(configured == 1);
  host->advanceTime(4000);
  REQUIRE(fired.size() == 4000);
  bool ordered = true;
  for (size_t i = 0; i < fired.size(); ++i) ordered = ordered && fired[i] == int(i + 1);
  CHECK(ordered);
  CHECK(host->tickPeriod(root) == 0);
}
