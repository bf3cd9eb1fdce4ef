// The typed APIs beyond headers and bodies: callouts from any context, gRPC calls and
// streams, timers, metrics, properties, shared data and queues, foreign functions. Each
// case's plugin side (PLUGIN_CASE) runs natively and as sdk_cases.wasm in the engine
// (tests/sdk/sdk_case.h); every handler and callback with checks has its runs counted.
#include "sdk_case.h"

#if SDK_CASE_PLUGIN
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using proxy_wasm::Action;
using proxy_wasm::GrpcStatus;
using proxy_wasm::HttpContext;
using proxy_wasm::RootContext;
using proxy_wasm::Status;
#else
using namespace proxy_wasm::testing;
using proxy_wasm::Action;
using proxy_wasm::GrpcStatus;
using proxy_wasm::LogLevel;
using proxy_wasm::Status;
using sdk_case::Fixture;
using Strings = std::vector<std::string>;
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("an HTTP callout from a stream resumes that stream from its callback") {
  on.request_headers = [](HttpContext& ctx, uint32_t, bool) {
    auto token = ctx.httpCall(proxy_wasm::HttpRequest("auth")
                                  .headers({{":method", "GET"}, {":path", "/check"}, {":authority", "auth"}})
                                  .body("ping")
                                  .trailer("x-trailer", "t")
                                  .timeout(std::chrono::milliseconds(500)),
                              [&ctx](const proxy_wasm::HttpCallResponse& r) {
                                sdk_case::count("responses");
                                PLUGIN_CHECK(!r.failed());
                                PLUGIN_CHECK(r.status() == 200);
                                PLUGIN_CHECK(r.header("x-user").value().view() == "alice");
                                sdk_case::report("seen_body", r.body().value().view());
                                // The stream is effective: its headers are reachable.
                                PLUGIN_CHECK(ctx.replaceRequestHeader("x-user", "alice") == Status::Ok);
                                PLUGIN_CHECK(ctx.continueRequest() == Status::Ok);
                              });
    PLUGIN_CHECK(token.ok());
    return Action::Pause;
  };
}
#else
TEST_CASE_FIXTURE(Fixture, "an HTTP callout from a stream resumes that stream from its callback") {
  host->startPlugin({"http"});
  auto& s = host->newHttpStream();
  CHECK(s.sendRequestHeaders({{":path", "/x"}}) == Action::Pause);
  CHECK(ran("request_headers") == 1);
  REQUIRE(host->httpCalls().size() == 1);
  const auto& call = host->httpCalls()[0];
  CHECK(call.upstream == "auth");
  CHECK(call.headers.get(":path") == "/check");
  CHECK(call.headers.get("content-length") == "4");  // Envoy sets it for a body
  CHECK(call.body == "ping");
  CHECK(call.trailers.get("x-trailer") == "t");
  CHECK(call.timeout_ms == 500);
  CHECK(host->respondHttpCall(call.token, {{":status", "200"}, {"x-user", "alice"}}, "pong"));
  CHECK(count("responses") == 1);
  CHECK(values("seen_body") == Strings{"pong"});
  CHECK_FALSE(s.requestPaused());
  CHECK(s.requestHeaders().get("x-user") == "alice");
}
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("callout failures reach the callback; dispatch errors come back as statuses") {
  on.tick = [](RootContext& root) {
    auto bad = root.httpCall(proxy_wasm::HttpRequest("unknown").headers({{":method", "GET"}, {":path", "/"}, {":authority", "a"}}),
                             [](const proxy_wasm::HttpCallResponse&) { PLUGIN_FAIL("never called"); });
    PLUGIN_CHECK(bad.status() == Status::BadArgument);
    auto missing = root.httpCall(proxy_wasm::HttpRequest("known").header(":method", "GET"),
                                 [](const proxy_wasm::HttpCallResponse&) { PLUGIN_FAIL("never called"); });
    PLUGIN_CHECK(missing.status() == Status::BadArgument);
    auto ok = root.httpCall(proxy_wasm::HttpRequest("known").headers({{":method", "GET"}, {":path", "/"}, {":authority", "a"}}),
                            [](const proxy_wasm::HttpCallResponse& r) {
                              PLUGIN_CHECK(r.failed());
                              PLUGIN_CHECK(r.status() == 0);
                              auto st = r.failure();
                              if (!PLUGIN_CHECK(st.ok())) return;
                              PLUGIN_CHECK(st->code == uint32_t(Status::BrokenConnection));
                              sdk_case::count("failures");
                            });
    PLUGIN_CHECK(ok.ok());
  };
}
#else
TEST_CASE_FIXTURE(Fixture, "callout failures reach the callback; dispatch errors come back as statuses") {
  HostOptions options;
  options.clusters = std::set<std::string>{"known"};
  host = makeHost(options);
  host->startPlugin({"root_only"});
  host->tick();
  CHECK(ran("tick") == 1);
  REQUIRE(host->pendingHttpCalls().size() == 1);
  host->failHttpCall(host->pendingHttpCalls()[0]);
  CHECK(count("failures") == 1);
}
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("a response after the stream ended is dropped") {
  on.request_headers = [](HttpContext& ctx, uint32_t, bool) {
    (void)ctx.httpCall(proxy_wasm::HttpRequest("c").headers({{":method", "GET"}, {":path", "/"}, {":authority", "a"}}),
                       [](const proxy_wasm::HttpCallResponse&) { sdk_case::count("called"); });
    return Action::Pause;
  };
}
#else
TEST_CASE_FIXTURE(Fixture, "a response after the stream ended is dropped") {
  host->startPlugin({"http"});
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  CHECK(ran("request_headers") == 1);
  REQUIRE(host->httpCalls().size() == 1);
  s.finish();
  CHECK(host->respondHttpCall(host->httpCalls()[0].token, {{":status", "200"}}));
  CHECK(count("called") == 0);
}
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("unary gRPC: reply or failure, each exactly once") {
  on.tick = [](RootContext& root) {
    for (int i = 0; i < 2; ++i) {
      auto token = root.grpcCall(proxy_wasm::GrpcRequest("grpc", "pkg.Service", "Method")
                                     .metadata("x-md", "1")
                                     .message("request")
                                     .timeout(std::chrono::milliseconds(1000)),
                                 [](const proxy_wasm::GrpcCallResponse& r) {
                                   sdk_case::count("callbacks");
                                   if (r.ok()) {
                                     sdk_case::report("events", "reply " + r.message().value().str());
                                   } else {
                                     sdk_case::report("events", "status " + std::to_string(uint32_t(r.status())) + " " +
                                                                    r.statusMessage().value().str());
                                   }
                                 });
      PLUGIN_CHECK(token.ok());
    }
  };
}
#else
TEST_CASE_FIXTURE(Fixture, "unary gRPC: reply or failure, each exactly once") {
  host->startPlugin({"root_only"});
  host->tick();
  CHECK(ran("tick") == 1);
  REQUIRE(host->grpcCalls().size() == 2);
  const auto& first = host->grpcCalls()[0];
  CHECK(first.service == "pkg.Service");
  CHECK(first.method == "Method");
  CHECK(first.message == "request");
  CHECK(first.initial_metadata.get("x-md") == "1");
  CHECK((first.token & 3) == 1);
  CHECK(host->respondGrpcCall(host->grpcCalls()[0].token, "response"));
  CHECK(host->grpcClose(host->grpcCalls()[1].token, GrpcStatus::PermissionDenied, "no"));
  CHECK(count("callbacks") == 2);
  CHECK(values("events") == Strings{"reply response", "status 7 no"});
}
#endif

#if SDK_CASE_PLUGIN
namespace {
class Recorder : public proxy_wasm::GrpcStreamHandler {
 public:
  void onInitialMetadata(uint32_t n) override {
    sdk_case::report("log", "initial " + std::to_string(n) + " " + initialMetadataValue("k").value().str());
  }
  void onMessage(size_t size) override {
    sdk_case::count("messages");
    sdk_case::report("log", "message " + message().value().str() + " " + std::to_string(size));
    PLUGIN_CHECK(send("pong") == Status::Ok);
  }
  void onTrailingMetadata(uint32_t n) override { sdk_case::report("log", "trailing " + std::to_string(n)); }
  void onClose(GrpcStatus status) override { sdk_case::report("log", "close " + std::to_string(uint32_t(status))); }
};
}  // namespace

PLUGIN_CASE("gRPC streams deliver every event to their handler") {
  on.tick = [](RootContext& root) {
    auto token = root.grpcStream(proxy_wasm::GrpcRequest("grpc", "pkg.S", "Stream"), std::make_unique<Recorder>());
    if (!PLUGIN_CHECK(token.ok())) return;
    PLUGIN_CHECK((*token & 3) == 2);
  };
}
#else
TEST_CASE_FIXTURE(Fixture, "gRPC streams deliver every event to their handler") {
  host->startPlugin({"root_only"});
  host->tick();
  CHECK(ran("tick") == 1);
  REQUIRE(host->grpcCalls().size() == 1);
  const uint32_t token = host->grpcCalls()[0].token;
  CHECK(host->grpcInitialMetadata(token, {{"k", "v"}}));
  CHECK(host->grpcMessage(token, "ping"));
  CHECK(host->grpcTrailingMetadata(token, {{"t", "1"}, {"u", "2"}}));
  CHECK(host->grpcClose(token, GrpcStatus::Ok));
  CHECK(count("messages") == 1);
  CHECK(values("log") == Strings{"initial 1 v", "message ping 4", "trailing 2", "close 0"});
  CHECK(host->grpcCall(token)->sent == Strings{"pong"});
  CHECK(host->violations().empty());
}
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("timers: several per root, repeating and one-shot, on the single tick") {
  // Schedule from a foreign-function call (any root callback works), then cancel from the
  // next one.
  static uint32_t fast;
  fast = 0;
  on.foreign_function = [](RootContext& root, uint32_t, size_t) {
    if (fast == 0) {
      sdk_case::count("schedules");
      auto a = root.addTimer(std::chrono::milliseconds(300), [] {
        const uint64_t now = proxy_wasm::getCurrentTimeNanoseconds().value();
        sdk_case::report("fired", "300 @" + std::to_string(now / 1000000 % 100000));
      });
      auto b = root.addOneShotTimer(std::chrono::milliseconds(500), [] { sdk_case::report("fired", "once"); });
      if (!PLUGIN_CHECK(a.ok())) return;
      if (!PLUGIN_CHECK(b.ok())) return;
      fast = *a;
      // A raw tick period would fight the timers: refused and logged.
      PLUGIN_CHECK(root.setTickPeriod(1000) == Status::BadArgument);
      return;
    }
    sdk_case::count("cancels");
    PLUGIN_CHECK(root.cancelTimer(fast));
    PLUGIN_CHECK(!root.cancelTimer(fast));
    PLUGIN_CHECK(root.timerCount() == 0);
  };
}
#else
TEST_CASE_FIXTURE(Fixture, "timers: several per root, repeating and one-shot, on the single tick") {
  host->startPlugin({"root_only"});
  auto root_id = host->roots()[0];
  host->callPluginForeignFunction(1, "", root_id);
  CHECK(count("schedules") == 1);
  CHECK(host->tickPeriod() == 300);
  host->advanceTime(1000);
  REQUIRE(values("fired").size() == 4);  // 300, 500 once, 600, 900
  CHECK(values("fired")[1] == "once");
  host->callPluginForeignFunction(1, "", root_id);
  CHECK(count("cancels") == 1);
  CHECK(ran("foreign_function") == 2);
  CHECK(host->tickPeriod() == 0);
  host->advanceTime(1000);
  CHECK(values("fired").size() == 4);
  CHECK(host->logs(LogLevel::Error).size() == 1);
}
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("metrics: typed handles, tags folded into the name") {
  on.tick = [](RootContext&) {
    auto c = proxy_wasm::Counter::define("requests", {{"method", "GET"}});
    auto g = proxy_wasm::Gauge::define("active");
    auto h = proxy_wasm::Histogram::define("sizes");
    if (!PLUGIN_CHECK(c.ok()) || !PLUGIN_CHECK(g.ok()) || !PLUGIN_CHECK(h.ok())) return;
    PLUGIN_CHECK(c->increment() == Status::Ok);
    PLUGIN_CHECK(c->increment(4) == Status::Ok);
    PLUGIN_CHECK(c->increment(0) == Status::BadArgument);
    PLUGIN_CHECK(c->value().value() == 5);
    PLUGIN_CHECK(g->add(3) == Status::Ok);
    PLUGIN_CHECK(g->add(-1) == Status::Ok);
    PLUGIN_CHECK(g->value().value() == 2);
    PLUGIN_CHECK(g->set(7) == Status::Ok);
    PLUGIN_CHECK(h->record(10) == Status::Ok);
    PLUGIN_CHECK(h->record(20) == Status::Ok);
    proxy_wasm::Counter undefined;
    PLUGIN_CHECK(undefined.increment() == Status::NotFound);
    PLUGIN_CHECK(proxy_wasm::metricName("base", {{"a", "1"}, {"b", "2"}}) == "a.1.b.2.base");
  };
}
#else
TEST_CASE_FIXTURE(Fixture, "metrics: typed handles, tags folded into the name") {
  host->startPlugin({"root_only"});
  host->tick();
  CHECK(ran("tick") == 1);
  CHECK(host->counter("method.GET.requests") == 5u);
  CHECK(host->gauge("active") == 7);
  CHECK(host->histogram("sizes") == std::vector<uint64_t>{10, 20});
}
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("properties: typed decoding, absent paths, plugin attributes, stream values") {
  on.request_headers = [](HttpContext&, uint32_t, bool) {
    namespace attr = proxy_wasm::attributes;
    PLUGIN_CHECK(attr::pluginName().value().view() == "my_plugin");
    PLUGIN_CHECK(attr::pluginRootId().value().view() == "http");
    PLUGIN_CHECK(attr::pluginVmId().value().view() == "my_vm");
    PLUGIN_CHECK(attr::requestPath().value().view() == "/p");
    PLUGIN_CHECK(attr::requestMethod().value().view() == "POST");
    PLUGIN_CHECK(attr::sourcePort().value() == 80);
    PLUGIN_CHECK(attr::sourceAddress().value().view() == "10.1.2.3:80");
    PLUGIN_CHECK(attr::connectionMtls().value() == true);
    PLUGIN_CHECK(attr::requestHeaders().value().find(":path") == "/p");
    PLUGIN_CHECK(!attr::upstreamAddress().has_value());  // absent, not an error
    PLUGIN_CHECK(attr::upstreamAddress().ok());
    PLUGIN_CHECK(attr::destinationAddress().value().view() == "192.0.2.1:10000");
    PLUGIN_CHECK(attr::destinationPort().value() == 10000);
    PLUGIN_CHECK(attr::connectionId().ok());
    PLUGIN_CHECK(proxy_wasm::getPropertyInt({"bad", "int"}).status() == Status::SerializationFailure);
    PLUGIN_CHECK(proxy_wasm::setProperty("my_key", "v") == Status::Ok);
    PLUGIN_CHECK(proxy_wasm::getPropertyString("my_key").value().view() == "v");
    // Envoy stores a multi-segment path as given, and reads only by the first segment.
    PLUGIN_CHECK(proxy_wasm::setProperty({"my", "key"}, "v") == Status::Ok);
    PLUGIN_CHECK(!proxy_wasm::getPropertyString({"my", "key"}).has_value());
    return Action::Continue;
  };
  on.tick = [](RootContext&) {
    PLUGIN_CHECK(proxy_wasm::setProperty("x", "y") == Status::NotFound);  // no stream on a root
  };
}
#else
TEST_CASE_FIXTURE(Fixture, "properties: typed decoding, absent paths, plugin attributes, stream values") {
  HostOptions options;
  options.vm_id = "my_vm";
  options.source_address = "10.1.2.3:80";  // source.port: 80 as a little-endian int64
  options.properties[std::string("connection\0mtls", 15)] = std::string(1, '\1');
  options.properties[std::string("bad\0int", 7)] = "abc";
  host = makeHost(options);
  host->startPlugin({"http", "", "my_plugin"});
  host->newHttpStream().sendRequestHeaders({{":method", "POST"}, {":path", "/p"}});
  CHECK(ran("request_headers") == 1);
  host->tick();
  CHECK(ran("tick") == 1);
}
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("shared data: the compare-and-swap helper and queues") {
  on.tick = [](RootContext&) {
    auto add = [](std::optional<std::string_view> current) -> std::optional<std::string> {
      return std::to_string((current ? std::stoi(std::string(*current)) : 0) + 1);
    };
    PLUGIN_CHECK(proxy_wasm::updateSharedData("count", add) == Status::Ok);
    PLUGIN_CHECK(proxy_wasm::updateSharedData("count", add) == Status::Ok);
    auto v = proxy_wasm::getSharedData("count");
    if (!PLUGIN_CHECK(v.ok())) return;
    PLUGIN_CHECK(v->value.view() == "2");
    // A stale cas is refused.
    PLUGIN_CHECK(proxy_wasm::setSharedData("count", "x", v->cas + 100) == Status::CasMismatch);
    auto missing = proxy_wasm::getSharedData("missing");
    PLUGIN_CHECK(!missing.has_value());
    PLUGIN_CHECK(missing.ok());
    // Leaving the value alone is Ok.
    PLUGIN_CHECK(proxy_wasm::updateSharedData("count", [](auto) { return std::optional<std::string>(); }) == Status::Ok);

    auto q = proxy_wasm::SharedQueue::registerQueue("jobs");
    if (!PLUGIN_CHECK(q.ok())) return;
    auto none = q->dequeue();  // an empty queue: absent, not an error
    PLUGIN_CHECK(!none.has_value());
    PLUGIN_CHECK(none.ok());
    auto same = proxy_wasm::SharedQueue::resolve("", "jobs");
    if (!PLUGIN_CHECK(same.ok())) return;
    PLUGIN_CHECK(same->id() == q->id());
    auto nope = proxy_wasm::SharedQueue::resolve("", "nope");
    PLUGIN_CHECK(!nope.has_value());
    PLUGIN_CHECK(nope.ok());
    PLUGIN_CHECK(same->enqueue("job-1") == Status::Ok);
  };
  on.queue_ready = [](RootContext&, uint32_t id) {
    proxy_wasm::SharedQueue queue(id);
    for (auto item = queue.dequeue(); item.ok(); item = queue.dequeue()) sdk_case::report("dequeued", item->view());
  };
}
#else
TEST_CASE_FIXTURE(Fixture, "shared data: the compare-and-swap helper and queues") {
  host->startPlugin({"root_only"});
  host->tick();
  CHECK(ran("tick") == 1);
  CHECK(ran("queue_ready") == 1);
  CHECK(host->sharedData("count")->first == "2");
  CHECK(values("dequeued") == Strings{"job-1"});  // delivered after the tick returned
}
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("foreign functions both ways") {
  on.tick = [](RootContext&) {
    PLUGIN_CHECK(proxy_wasm::callForeignFunction("reverse", "abc").value().view() == "cba");
    PLUGIN_CHECK(proxy_wasm::callForeignFunction("broken", "").status() == Status::InternalFailure);
    PLUGIN_CHECK(proxy_wasm::callForeignFunction("absent", "").status() == Status::NotFound);
  };
  on.foreign_function = [](RootContext& root, uint32_t id, size_t size) {
    PLUGIN_CHECK(id == 42);
    PLUGIN_CHECK(size == 4);
    sdk_case::report("args", root.foreignFunctionArguments().value().view());
  };
}
#else
TEST_CASE_FIXTURE(Fixture, "foreign functions both ways") {
  host->startPlugin({"root_only"});
  host->registerForeignFunction("reverse", [](std::string_view args, std::string& out) {
    out.assign(args.rbegin(), args.rend());
    return Status::Ok;
  });
  host->registerForeignFunction("broken", [](std::string_view, std::string&) { return Status::InternalFailure; });
  host->tick();
  CHECK(ran("tick") == 1);
  host->callPluginForeignFunction(42, "data");
  CHECK(ran("foreign_function") == 1);
  CHECK(values("args") == Strings{"data"});
}
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("buffer and header-map status calls") {
  on.request_body = [](HttpContext& ctx, size_t size, bool) {
    auto st = ctx.getBufferStatus(proxy_wasm::BufferType::HttpRequestBody);
    if (!PLUGIN_CHECK(st.ok())) return Action::Continue;
    PLUGIN_CHECK(st->size == size);
    PLUGIN_CHECK(st->flags == 0);
    PLUGIN_CHECK(ctx.getBuffer(proxy_wasm::BufferType::HttpRequestBody, 2, 3).value().view() == "cde");
    PLUGIN_CHECK(ctx.getBuffer(proxy_wasm::BufferType::HttpRequestBody, 100, 3).value().empty());
    PLUGIN_CHECK(ctx.setBuffer(proxy_wasm::BufferType::HttpRequestBody, 3, 1, "x") == Status::BadArgument);
    PLUGIN_CHECK(ctx.getBuffer(proxy_wasm::BufferType::HttpCallResponseBody).status() == Status::NotFound);
    PLUGIN_CHECK(ctx.getBuffer(proxy_wasm::BufferType::PluginConfiguration).status() == Status::NotFound);
    return Action::Continue;
  };
}
#else
TEST_CASE_FIXTURE(Fixture, "buffer and header-map status calls") {
  host->startPlugin({"http"});
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  s.sendRequestBody("abcdefg", true);
  CHECK(ran("request_body") == 1);
  CHECK(s.forwardedRequestBody() == "abcdefg");
}
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("closeRequest resets the stream once the callback returns") {
  on.request_headers = [](HttpContext& ctx, uint32_t, bool) {
    PLUGIN_CHECK(ctx.closeRequest() == Status::Ok);
    return Action::Continue;
  };
}
#else
TEST_CASE_FIXTURE(Fixture, "closeRequest resets the stream once the callback returns") {
  host->startPlugin({"http"});
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  CHECK(ran("request_headers") == 1);
  CHECK(s.reset());
  CHECK(s.resetDetails() == "wasm_close_stream");
  CHECK(s.sendRequestBody("ignored", true) == Action::Continue);
  CHECK(s.forwardedRequestBody().empty());
}
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("trailers and the response body through the typed API") {
  on.request_trailers = [](HttpContext& ctx, uint32_t n) {
    PLUGIN_CHECK(n == 1);
    PLUGIN_CHECK(ctx.getRequestTrailer("grpc-status").value().view() == "0");
    PLUGIN_CHECK(ctx.addRequestTrailer("x-added", "1") == Status::Ok);
    PLUGIN_CHECK(ctx.replaceRequestTrailer("grpc-status", "2") == Status::Ok);
    return Action::Continue;
  };
  on.response_body = [](HttpContext& ctx, size_t, bool eos) {
    if (!eos) return Action::Pause;
    PLUGIN_CHECK(ctx.prependResponseBody("<") == Status::Ok);
    PLUGIN_CHECK(ctx.appendResponseBody(">") == Status::Ok);
    // Trailers may be added from the last body callback.
    PLUGIN_CHECK(ctx.addResponseTrailer("x-checksum", "abc") == Status::Ok);
    return Action::Continue;
  };
  on.response_trailers = [](HttpContext&, uint32_t) { return Action::Continue; };
}
#else
TEST_CASE_FIXTURE(Fixture, "trailers and the response body through the typed API") {
  host->startPlugin({"http"});
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  s.sendRequestBody("b");
  s.sendRequestTrailers({{"grpc-status", "0"}});
  CHECK(ran("request_trailers") == 1);
  CHECK(s.requestTrailers() == HeaderList{{"grpc-status", "2"}, {"x-added", "1"}});
  s.sendResponseHeaders({{":status", "200"}});
  s.sendResponseBody("ab");
  s.sendResponseBody("cd", true);
  CHECK(ran("response_body") == 2);
  CHECK(s.forwardedResponseBody() == "<abcd>");
  CHECK(s.responseTrailers().get("x-checksum") == "abc");
}
#endif

#if SDK_CASE_PLUGIN
PLUGIN_CASE("TCP: data callbacks, rewriting, pause and resume, close") {
  static proxy_wasm::StreamContext* conn_ctx;
  conn_ctx = nullptr;
  on.downstream_data = [](proxy_wasm::StreamContext& ctx, size_t size, bool) {
    conn_ctx = &ctx;
    PLUGIN_CHECK(proxy_wasm::attributes::sourceAddress().value().view() == "192.0.2.10:41000");
    PLUGIN_CHECK(proxy_wasm::attributes::connectionId().value() == ctx.id());
    auto data = ctx.getDownstreamData();
    if (!PLUGIN_CHECK(data.ok())) return Action::Continue;
    PLUGIN_CHECK(data->size() == size);
    if (data->view() == "hold") return Action::Pause;
    PLUGIN_CHECK(ctx.replaceDownstreamData("[" + data->str() + "]") == Status::Ok);
    return Action::Continue;
  };
  on.upstream_data = [](proxy_wasm::StreamContext& ctx, size_t, bool) {
    PLUGIN_CHECK(ctx.closeDownstream() == Status::Ok);
    return Action::Continue;
  };
  on.downstream_close = [](proxy_wasm::StreamContext&, proxy_wasm::PeerType p) {
    sdk_case::report("closes", std::to_string(uint32_t(p)));
  };
  on.upstream_close = [](proxy_wasm::StreamContext&, proxy_wasm::PeerType p) {
    sdk_case::report("closes", std::to_string(uint32_t(p)));
  };
  on.tick = [](RootContext&) {
    if (!PLUGIN_CHECK(conn_ctx)) return;
    PLUGIN_CHECK(conn_ctx->continueDownstream() == Status::Ok);
  };
}
#else
TEST_CASE_FIXTURE(Fixture, "TCP: data callbacks, rewriting, pause and resume, close") {
  host->startPlugin({"tcp"});
  auto& c = host->newConnection();
  CHECK(c.sendDownstreamData("abc") == Action::Continue);
  CHECK(ran("downstream_data") == 1);
  CHECK(c.forwardedDownstream() == "[abc]");
  CHECK(c.sendDownstreamData("hold") == Action::Pause);
  CHECK(c.bufferedDownstream() == "hold");
  CHECK(ran("downstream_data") == 2);
  host->tick();
  CHECK(ran("tick") == 1);
  CHECK(ran("downstream_data") == 2);  // resumed data is forwarded without another callback
  CHECK(c.forwardedDownstream() == "[abc]hold");
  CHECK(c.sendUpstreamData("reply", true) == Action::Continue);
  CHECK(ran("upstream_data") == 1);
  CHECK(c.closed());
  c.closeDownstream(proxy_wasm::PeerType::Local);
  CHECK(values("closes") == Strings{std::to_string(uint32_t(proxy_wasm::PeerType::Unknown)),
                                    std::to_string(uint32_t(proxy_wasm::PeerType::Local))});
  c.finish();
  const std::string id = std::to_string(c.id());
  CHECK(std::vector<std::string>(trace().end() - 3, trace().end()) == Strings{"done " + id, "log " + id, "delete " + id});
}
#endif

#if SDK_CASE_PLUGIN
namespace {
class Closer : public proxy_wasm::GrpcStreamHandler {
 public:
  void onMessage(size_t) override {
    sdk_case::count("messages");
    PLUGIN_CHECK(close() == Status::Ok);  // half-close: the server may still answer
  }
  void onClose(GrpcStatus) override { sdk_case::count("closes"); }
};
}  // namespace

PLUGIN_CASE("gRPC: half-close and cancel") {
  on.tick = [](RootContext& root) {
    if (!PLUGIN_CHECK(root.grpcStream(proxy_wasm::GrpcRequest("grpc", "S", "M"), std::make_unique<Closer>()).ok())) return;
    auto call = root.grpcCall(proxy_wasm::GrpcRequest("grpc", "S", "M").message("m"), [](const proxy_wasm::GrpcCallResponse&) {
      PLUGIN_FAIL("a cancelled call's callback never runs");
    });
    if (!PLUGIN_CHECK(call.ok())) return;
    sdk_case::report("cancelled", std::to_string(*call));
    PLUGIN_CHECK(root.cancelGrpc(*call) == Status::Ok);
    PLUGIN_CHECK(root.cancelGrpc(*call) == Status::NotFound);
    PLUGIN_CHECK(proxy_wasm::detail::raw::grpcSend(*call, "x", false) == Status::BadArgument);  // not a stream
    PLUGIN_CHECK(proxy_wasm::detail::raw::grpcCancel(4) == Status::BadArgument);              // an HTTP token
  };
}
#else
TEST_CASE_FIXTURE(Fixture, "gRPC: half-close and cancel") {
  host->startPlugin({"root_only"});
  host->tick();
  CHECK(ran("tick") == 1);
  REQUIRE(host->grpcCalls().size() == 2);
  REQUIRE(values("cancelled").size() == 1);
  const uint32_t cancelled = uint32_t(std::stoul(values("cancelled")[0]));
  const uint32_t stream = host->grpcCalls()[0].token;
  CHECK(host->grpcMessage(stream, "m"));
  CHECK(count("messages") == 1);
  CHECK(host->grpcCall(stream)->local_closed);
  CHECK(host->grpcClose(stream, GrpcStatus::Ok));
  CHECK(count("closes") == 1);
  CHECK(host->grpcCall(cancelled)->cancelled);
  CHECK_FALSE(host->respondGrpcCall(cancelled, "late"));
}
#endif
