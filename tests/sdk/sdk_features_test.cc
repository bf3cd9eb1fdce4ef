// The typed APIs beyond headers and bodies: callouts from any context, gRPC calls and
// streams, timers, metrics, properties, shared data and queues, foreign functions. Every
// hook and callback with assertions has its runs counted.
#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

#include "test_plugin.h"

using namespace proxy_wasm::testing;
using proxy_wasm::Action;
using proxy_wasm::GrpcStatus;
using proxy_wasm::LogLevel;
using proxy_wasm::Status;

namespace {
struct Fixture {
  Fixture() { test_plugin::reset(); }
  ~Fixture() { test_plugin::reset(); }
  std::unique_ptr<Host> host = makeHost();
};
}  // namespace

TEST_CASE_FIXTURE(Fixture, "an HTTP callout from a stream resumes that stream from its callback") {
  host->startPlugin({"http"});
  std::string seen_body;
  int headers = 0, responses = 0;
  test_plugin::hooks().on_request_headers = [&](proxy_wasm::HttpContext& ctx, size_t, bool) {
    ++headers;
    auto token = ctx.httpCall(proxy_wasm::HttpRequest("auth")
                                  .headers({{":method", "GET"}, {":path", "/check"}, {":authority", "auth"}})
                                  .body("ping")
                                  .trailer("x-trailer", "t")
                                  .timeout(std::chrono::milliseconds(500)),
                              [&ctx, &seen_body, &responses](const proxy_wasm::HttpCallResponse& r) {
                                ++responses;
                                CHECK_FALSE(r.failed());
                                CHECK(r.status() == 200);
                                CHECK(r.header("x-user").value().view() == "alice");
                                seen_body = r.body().value().str();
                                // The stream is effective: its headers are reachable.
                                CHECK(ctx.replaceRequestHeader("x-user", "alice") == Status::Ok);
                                CHECK(ctx.continueRequest() == Status::Ok);
                              });
    CHECK(token.ok());
    return Action::Pause;
  };
  auto& s = host->newHttpStream();
  CHECK(s.sendRequestHeaders({{":path", "/x"}}) == Action::Pause);
  CHECK(headers == 1);
  REQUIRE(host->httpCalls().size() == 1);
  const auto& call = host->httpCalls()[0];
  CHECK(call.upstream == "auth");
  CHECK(call.headers.get(":path") == "/check");
  CHECK(call.headers.get("content-length") == "4");  // Envoy sets it for a body
  CHECK(call.body == "ping");
  CHECK(call.trailers.get("x-trailer") == "t");
  CHECK(call.timeout_ms == 500);
  CHECK(host->respondHttpCall(call.token, {{":status", "200"}, {"x-user", "alice"}}, "pong"));
  CHECK(responses == 1);
  CHECK(seen_body == "pong");
  CHECK_FALSE(s.requestPaused());
  CHECK(s.requestHeaders().get("x-user") == "alice");
}

TEST_CASE_FIXTURE(Fixture, "callout failures reach the callback; dispatch errors come back as statuses") {
  HostOptions options;
  options.clusters = std::set<std::string>{"known"};
  host = makeHost(options);
  host->startPlugin({"root_only"});
  int failures = 0, ticks = 0;
  test_plugin::hooks().on_tick = [&](proxy_wasm::RootContext& root) {
    ++ticks;
    auto bad = root.httpCall(proxy_wasm::HttpRequest("unknown").headers({{":method", "GET"}, {":path", "/"}, {":authority", "a"}}),
                             [](const proxy_wasm::HttpCallResponse&) { FAIL("never called"); });
    CHECK(bad.status() == Status::BadArgument);
    auto missing = root.httpCall(proxy_wasm::HttpRequest("known").header(":method", "GET"),
                                 [](const proxy_wasm::HttpCallResponse&) { FAIL("never called"); });
    CHECK(missing.status() == Status::BadArgument);
    auto ok = root.httpCall(proxy_wasm::HttpRequest("known").headers({{":method", "GET"}, {":path", "/"}, {":authority", "a"}}),
                            [&](const proxy_wasm::HttpCallResponse& r) {
                              CHECK(r.failed());
                              CHECK(r.status() == 0);
                              auto st = r.failure();
                              REQUIRE(st.ok());
                              CHECK(st->code == uint32_t(Status::BrokenConnection));
                              ++failures;
                            });
    CHECK(ok.ok());
  };
  host->tick();
  CHECK(ticks == 1);
  REQUIRE(host->pendingHttpCalls().size() == 1);
  host->failHttpCall(host->pendingHttpCalls()[0]);
  CHECK(failures == 1);
}

TEST_CASE_FIXTURE(Fixture, "a response after the stream ended is dropped") {
  host->startPlugin({"http"});
  bool called = false;
  int headers = 0;
  test_plugin::hooks().on_request_headers = [&](proxy_wasm::HttpContext& ctx, size_t, bool) {
    ++headers;
    (void)ctx.httpCall(proxy_wasm::HttpRequest("c").headers({{":method", "GET"}, {":path", "/"}, {":authority", "a"}}),
                       [&](const proxy_wasm::HttpCallResponse&) { called = true; });
    return Action::Pause;
  };
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  CHECK(headers == 1);
  REQUIRE(host->httpCalls().size() == 1);
  s.finish();
  CHECK(host->respondHttpCall(host->httpCalls()[0].token, {{":status", "200"}}));
  CHECK_FALSE(called);
}

TEST_CASE_FIXTURE(Fixture, "unary gRPC: reply or failure, each exactly once") {
  host->startPlugin({"root_only"});
  std::vector<std::string> events;
  int ticks = 0, callbacks = 0;
  test_plugin::hooks().on_tick = [&](proxy_wasm::RootContext& root) {
    ++ticks;
    for (int i = 0; i < 2; ++i) {
      auto token = root.grpcCall(proxy_wasm::GrpcRequest("grpc", "pkg.Service", "Method")
                                     .metadata("x-md", "1")
                                     .message("request")
                                     .timeout(std::chrono::milliseconds(1000)),
                                 [&](const proxy_wasm::GrpcCallResponse& r) {
                                   ++callbacks;
                                   if (r.ok()) {
                                     events.push_back("reply " + r.message().value().str());
                                   } else {
                                     events.push_back("status " + std::to_string(uint32_t(r.status())) + " " +
                                                      r.statusMessage().value().str());
                                   }
                                 });
      CHECK(token.ok());
    }
  };
  host->tick();
  CHECK(ticks == 1);
  REQUIRE(host->grpcCalls().size() == 2);
  const auto& first = host->grpcCalls()[0];
  CHECK(first.service == "pkg.Service");
  CHECK(first.method == "Method");
  CHECK(first.message == "request");
  CHECK(first.initial_metadata.get("x-md") == "1");
  CHECK((first.token & 3) == 1);
  CHECK(host->respondGrpcCall(host->grpcCalls()[0].token, "response"));
  CHECK(host->grpcClose(host->grpcCalls()[1].token, GrpcStatus::PermissionDenied, "no"));
  CHECK(callbacks == 2);
  CHECK(events == std::vector<std::string>{"reply response", "status 7 no"});
}

namespace {
class Recorder : public proxy_wasm::GrpcStreamHandler {
 public:
  Recorder(std::vector<std::string>* log, int* messages) : log_(log), messages_(messages) {}
  void onInitialMetadata(uint32_t n) override {
    log_->push_back("initial " + std::to_string(n) + " " + initialMetadataValue("k").value().str());
  }
  void onMessage(size_t size) override {
    ++*messages_;
    log_->push_back("message " + message().value().str() + " " + std::to_string(size));
    CHECK(send("pong") == Status::Ok);
  }
  void onTrailingMetadata(uint32_t n) override { log_->push_back("trailing " + std::to_string(n)); }
  void onClose(GrpcStatus status) override { log_->push_back("close " + std::to_string(uint32_t(status))); }

 private:
  std::vector<std::string>* log_;
  int* messages_;
};
}  // namespace

TEST_CASE_FIXTURE(Fixture, "gRPC streams deliver every event to their handler") {
  host->startPlugin({"root_only"});
  std::vector<std::string> log;
  int ticks = 0, messages = 0;
  test_plugin::hooks().on_tick = [&](proxy_wasm::RootContext& root) {
    ++ticks;
    auto token = root.grpcStream(proxy_wasm::GrpcRequest("grpc", "pkg.S", "Stream"), std::make_unique<Recorder>(&log, &messages));
    REQUIRE(token.ok());
    CHECK((*token & 3) == 2);
  };
  host->tick();
  CHECK(ticks == 1);
  REQUIRE(host->grpcCalls().size() == 1);
  const uint32_t token = host->grpcCalls()[0].token;
  CHECK(host->grpcInitialMetadata(token, {{"k", "v"}}));
  CHECK(host->grpcMessage(token, "ping"));
  CHECK(host->grpcTrailingMetadata(token, {{"t", "1"}, {"u", "2"}}));
  CHECK(host->grpcClose(token, GrpcStatus::Ok));
  CHECK(messages == 1);
  CHECK(log == std::vector<std::string>{"initial 1 v", "message ping 4", "trailing 2", "close 0"});
  CHECK(host->grpcCall(token)->sent == std::vector<std::string>{"pong"});
  CHECK(host->violations().empty());
}

TEST_CASE_FIXTURE(Fixture, "timers: several per root, repeating and one-shot, on the single tick") {
  host->startPlugin({"root_only"});
  std::vector<std::string> fired;
  uint32_t fast = 0;
  test_plugin::hooks().on_configure = nullptr;
  test_plugin::hooks().on_tick = nullptr;
  auto root_id = host->roots()[0];
  int schedules = 0, cancels = 0;
  // Schedule from a foreign-function call: any root callback works.
  test_plugin::hooks().on_foreign_function = [&](proxy_wasm::RootContext& root, uint32_t, size_t) {
    ++schedules;
    auto a = root.addTimer(std::chrono::milliseconds(300), [&] { fired.push_back("300 @" + std::to_string(host->now() / 1000000 % 100000)); });
    auto b = root.addOneShotTimer(std::chrono::milliseconds(500), [&] { fired.push_back("once"); });
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    fast = *a;
    // A raw tick period would fight the timers: refused and logged.
    CHECK(root.setTickPeriod(1000) == Status::BadArgument);
  };
  host->callPluginForeignFunction(1, "", root_id);
  CHECK(schedules == 1);
  CHECK(host->tickPeriod() == 300);
  host->advanceTime(1000);
  CHECK(fired.size() == 4);  // 300, 500 once, 600, 900
  CHECK(fired[1] == "once");
  test_plugin::hooks().on_foreign_function = [&](proxy_wasm::RootContext& root, uint32_t, size_t) {
    ++cancels;
    CHECK(root.cancelTimer(fast));
    CHECK_FALSE(root.cancelTimer(fast));
    CHECK(root.timerCount() == 0);
  };
  host->callPluginForeignFunction(1, "", root_id);
  CHECK(cancels == 1);
  CHECK(host->tickPeriod() == 0);
  host->advanceTime(1000);
  CHECK(fired.size() == 4);
  CHECK(host->logs(LogLevel::Error).size() == 1);
}

TEST_CASE_FIXTURE(Fixture, "metrics: typed handles, tags folded into the name") {
  host->startPlugin({"root_only"});
  int ticks = 0;
  test_plugin::hooks().on_tick = [&](proxy_wasm::RootContext&) {
    ++ticks;
    auto c = proxy_wasm::Counter::define("requests", {{"method", "GET"}});
    auto g = proxy_wasm::Gauge::define("active");
    auto h = proxy_wasm::Histogram::define("sizes");
    REQUIRE(c.ok());
    REQUIRE(g.ok());
    REQUIRE(h.ok());
    CHECK(c->increment() == Status::Ok);
    CHECK(c->increment(4) == Status::Ok);
    CHECK(c->increment(0) == Status::BadArgument);
    CHECK(c->value().value() == 5);
    CHECK(g->add(3) == Status::Ok);
    CHECK(g->add(-1) == Status::Ok);
    CHECK(g->value().value() == 2);
    CHECK(g->set(7) == Status::Ok);
    CHECK(h->record(10) == Status::Ok);
    CHECK(h->record(20) == Status::Ok);
    proxy_wasm::Counter undefined;
    CHECK(undefined.increment() == Status::NotFound);
  };
  host->tick();
  CHECK(ticks == 1);
  CHECK(host->counter("method.GET.requests") == 5u);
  CHECK(host->gauge("active") == 7);
  CHECK(host->histogram("sizes") == std::vector<uint64_t>{10, 20});
  CHECK(proxy_wasm::metricName("base", {{"a", "1"}, {"b", "2"}}) == "a.1.b.2.base");
}

TEST_CASE_FIXTURE(Fixture, "properties: typed decoding, absent paths, plugin attributes, stream values") {
  HostOptions options;
  options.vm_id = "my_vm";
  options.source_address = "10.1.2.3:80";  // source.port: 80 as a little-endian int64
  options.properties[std::string("connection\0mtls", 15)] = std::string(1, '\1');
  options.properties[std::string("bad\0int", 7)] = "abc";
  host = makeHost(options);
  host->startPlugin({"http", "", "my_plugin"});
  int headers = 0, ticks = 0;
  test_plugin::hooks().on_request_headers = [&](proxy_wasm::HttpContext&, size_t, bool) {
    ++headers;
    namespace attr = proxy_wasm::attributes;
    CHECK(attr::pluginName().value().view() == "my_plugin");
    CHECK(attr::pluginRootId().value().view() == "http");
    CHECK(attr::pluginVmId().value().view() == "my_vm");
    CHECK(attr::requestPath().value().view() == "/p");
    CHECK(attr::requestMethod().value().view() == "POST");
    CHECK(attr::sourcePort().value() == 80);
    CHECK(attr::sourceAddress().value().view() == "10.1.2.3:80");
    CHECK(attr::connectionMtls().value() == true);
    CHECK(attr::requestHeaders().value().find(":path") == "/p");
    CHECK_FALSE(attr::upstreamAddress().has_value());  // absent, not an error
    CHECK(attr::upstreamAddress().ok());
    CHECK(attr::destinationAddress().value().view() == "192.0.2.1:10000");
    CHECK(attr::destinationPort().value() == 10000);
    CHECK(attr::connectionId().ok());
    CHECK(proxy_wasm::getPropertyInt({"bad", "int"}).status() == Status::SerializationFailure);
    CHECK(proxy_wasm::setProperty("my_key", "v") == Status::Ok);
    CHECK(proxy_wasm::getPropertyString("my_key").value().view() == "v");
    // Envoy stores a multi-segment path as given, and reads only by the first segment.
    CHECK(proxy_wasm::setProperty({"my", "key"}, "v") == Status::Ok);
    CHECK_FALSE(proxy_wasm::getPropertyString({"my", "key"}).has_value());
    return Action::Continue;
  };
  host->newHttpStream().sendRequestHeaders({{":method", "POST"}, {":path", "/p"}});
  CHECK(headers == 1);
  test_plugin::hooks().on_tick = [&](proxy_wasm::RootContext&) {
    ++ticks;
    CHECK(proxy_wasm::setProperty("x", "y") == Status::NotFound);  // no stream on a root
  };
  host->tick();
  CHECK(ticks == 1);
}

TEST_CASE_FIXTURE(Fixture, "shared data: the compare-and-swap helper and queues") {
  host->startPlugin({"root_only"});
  int ticks = 0, queue_ready = 0;
  test_plugin::hooks().on_tick = [&](proxy_wasm::RootContext&) {
    ++ticks;
    auto add = [](std::optional<std::string_view> current) -> std::optional<std::string> {
      return std::to_string((current ? std::stoi(std::string(*current)) : 0) + 1);
    };
    CHECK(proxy_wasm::updateSharedData("count", add) == Status::Ok);
    CHECK(proxy_wasm::updateSharedData("count", add) == Status::Ok);
    auto v = proxy_wasm::getSharedData("count");
    REQUIRE(v.ok());
    CHECK(v->value.view() == "2");
    // A stale cas is refused.
    CHECK(proxy_wasm::setSharedData("count", "x", v->cas + 100) == Status::CasMismatch);
    auto missing = proxy_wasm::getSharedData("missing");
    CHECK_FALSE(missing.has_value());
    CHECK(missing.ok());
    // Leaving the value alone is Ok.
    CHECK(proxy_wasm::updateSharedData("count", [](auto) { return std::optional<std::string>(); }) == Status::Ok);

    auto q = proxy_wasm::SharedQueue::registerQueue("jobs");
    REQUIRE(q.ok());
    auto none = q->dequeue();  // an empty queue: absent, not an error
    CHECK_FALSE(none.has_value());
    CHECK(none.ok());
    auto same = proxy_wasm::SharedQueue::resolve("", "jobs");
    REQUIRE(same.ok());
    CHECK(same->id() == q->id());
    auto nope = proxy_wasm::SharedQueue::resolve("", "nope");
    CHECK_FALSE(nope.has_value());
    CHECK(nope.ok());
    CHECK(same->enqueue("job-1") == Status::Ok);
  };
  std::vector<std::string> dequeued;
  test_plugin::hooks().on_queue_ready = [&](proxy_wasm::RootContext&, uint32_t id) {
    ++queue_ready;
    proxy_wasm::SharedQueue queue(id);
    for (auto item = queue.dequeue(); item.ok(); item = queue.dequeue()) dequeued.push_back(item->str());
  };
  host->tick();
  CHECK(ticks == 1);
  CHECK(queue_ready == 1);
  CHECK(host->sharedData("count")->first == "2");
  CHECK(dequeued == std::vector<std::string>{"job-1"});  // delivered after the tick returned
}

TEST_CASE_FIXTURE(Fixture, "foreign functions both ways") {
  host->startPlugin({"root_only"});
  host->registerForeignFunction("reverse", [](std::string_view args, std::string& out) {
    out.assign(args.rbegin(), args.rend());
    return Status::Ok;
  });
  host->registerForeignFunction("broken", [](std::string_view, std::string&) { return Status::InternalFailure; });
  int ticks = 0, calls = 0;
  test_plugin::hooks().on_tick = [&](proxy_wasm::RootContext&) {
    ++ticks;
    CHECK(proxy_wasm::callForeignFunction("reverse", "abc").value().view() == "cba");
    CHECK(proxy_wasm::callForeignFunction("broken", "").status() == Status::InternalFailure);
    CHECK(proxy_wasm::callForeignFunction("absent", "").status() == Status::NotFound);
  };
  host->tick();
  CHECK(ticks == 1);
  std::string args;
  test_plugin::hooks().on_foreign_function = [&](proxy_wasm::RootContext& root, uint32_t id, size_t size) {
    ++calls;
    CHECK(id == 42);
    CHECK(size == 4);
    args = root.foreignFunctionArguments().value().str();
  };
  host->callPluginForeignFunction(42, "data");
  CHECK(calls == 1);
  CHECK(args == "data");
}

TEST_CASE_FIXTURE(Fixture, "buffer and header-map status calls") {
  host->startPlugin({"http"});
  int bodies = 0;
  test_plugin::hooks().on_request_body = [&](proxy_wasm::HttpContext& ctx, size_t size, bool) {
    ++bodies;
    auto st = ctx.getBufferStatus(proxy_wasm::BufferType::HttpRequestBody);
    REQUIRE(st.ok());
    CHECK(st->size == size);
    CHECK(st->flags == 0);
    CHECK(ctx.getBuffer(proxy_wasm::BufferType::HttpRequestBody, 2, 3).value().view() == "cde");
    CHECK(ctx.getBuffer(proxy_wasm::BufferType::HttpRequestBody, 100, 3).value().empty());
    CHECK(ctx.setBuffer(proxy_wasm::BufferType::HttpRequestBody, 3, 1, "x") == Status::BadArgument);
    CHECK(ctx.getBuffer(proxy_wasm::BufferType::HttpCallResponseBody).status() == Status::NotFound);
    CHECK(ctx.getBuffer(proxy_wasm::BufferType::PluginConfiguration).status() == Status::NotFound);
    return Action::Continue;
  };
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  s.sendRequestBody("abcdefg", true);
  CHECK(bodies == 1);
  CHECK(s.forwardedRequestBody() == "abcdefg");
}

TEST_CASE_FIXTURE(Fixture, "closeRequest resets the stream once the callback returns") {
  host->startPlugin({"http"});
  int headers = 0;
  test_plugin::hooks().on_request_headers = [&](proxy_wasm::HttpContext& ctx, size_t, bool) {
    ++headers;
    CHECK(ctx.closeRequest() == Status::Ok);
    return Action::Continue;
  };
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  CHECK(headers == 1);
  CHECK(s.reset());
  CHECK(s.resetDetails() == "wasm_close_stream");
  CHECK(s.sendRequestBody("ignored", true) == Action::Continue);
  CHECK(s.forwardedRequestBody().empty());
}

TEST_CASE_FIXTURE(Fixture, "trailers and the response body through the typed API") {
  host->startPlugin({"http"});
  int request_trailers = 0, response_bodies = 0;
  test_plugin::hooks().on_request_trailers = [&](proxy_wasm::HttpContext& ctx, uint32_t n) {
    ++request_trailers;
    CHECK(n == 1);
    CHECK(ctx.getRequestTrailer("grpc-status").value().view() == "0");
    CHECK(ctx.addRequestTrailer("x-added", "1") == Status::Ok);
    CHECK(ctx.replaceRequestTrailer("grpc-status", "2") == Status::Ok);
    return Action::Continue;
  };
  test_plugin::hooks().on_response_body = [&](proxy_wasm::HttpContext& ctx, size_t, bool eos) {
    ++response_bodies;
    if (!eos) return Action::Pause;
    CHECK(ctx.prependResponseBody("<") == Status::Ok);
    CHECK(ctx.appendResponseBody(">") == Status::Ok);
    // Trailers may be added from the last body callback.
    CHECK(ctx.addResponseTrailer("x-checksum", "abc") == Status::Ok);
    return Action::Continue;
  };
  test_plugin::hooks().on_response_trailers = [&](proxy_wasm::HttpContext&, uint32_t) { return Action::Continue; };
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  s.sendRequestBody("b");
  s.sendRequestTrailers({{"grpc-status", "0"}});
  CHECK(request_trailers == 1);
  CHECK(s.requestTrailers() == HeaderList{{"grpc-status", "2"}, {"x-added", "1"}});
  s.sendResponseHeaders({{":status", "200"}});
  s.sendResponseBody("ab");
  s.sendResponseBody("cd", true);
  CHECK(response_bodies == 2);
  CHECK(s.forwardedResponseBody() == "<abcd>");
  CHECK(s.responseTrailers().get("x-checksum") == "abc");
}

TEST_CASE_FIXTURE(Fixture, "TCP: data callbacks, rewriting, pause and resume, close") {
  host->startPlugin({"tcp"});
  proxy_wasm::StreamContext* conn_ctx = nullptr;
  int downstream = 0, upstream = 0, ticks = 0;
  test_plugin::hooks().on_downstream_data = [&](proxy_wasm::StreamContext& ctx, size_t size, bool) {
    ++downstream;
    conn_ctx = &ctx;
    CHECK(proxy_wasm::attributes::sourceAddress().value().view() == "192.0.2.10:41000");
    CHECK(proxy_wasm::attributes::connectionId().value() == ctx.id());
    auto data = ctx.getDownstreamData();
    REQUIRE(data.ok());
    CHECK(data->size() == size);
    if (data->view() == "hold") return Action::Pause;
    CHECK(ctx.replaceDownstreamData("[" + data->str() + "]") == Status::Ok);
    return Action::Continue;
  };
  test_plugin::hooks().on_upstream_data = [&](proxy_wasm::StreamContext& ctx, size_t, bool) {
    ++upstream;
    CHECK(ctx.closeDownstream() == Status::Ok);
    return Action::Continue;
  };
  std::vector<proxy_wasm::PeerType> closes;
  test_plugin::hooks().on_downstream_close = [&](proxy_wasm::StreamContext&, proxy_wasm::PeerType p) {
    closes.push_back(p);
  };
  test_plugin::hooks().on_upstream_close = [&](proxy_wasm::StreamContext&, proxy_wasm::PeerType p) {
    closes.push_back(p);
  };
  auto& c = host->newConnection();
  CHECK(c.sendDownstreamData("abc") == Action::Continue);
  CHECK(downstream == 1);
  CHECK(c.forwardedDownstream() == "[abc]");
  CHECK(c.sendDownstreamData("hold") == Action::Pause);
  CHECK(c.bufferedDownstream() == "hold");
  CHECK(downstream == 2);
  test_plugin::hooks().on_tick = [&](proxy_wasm::RootContext&) {
    ++ticks;
    REQUIRE(conn_ctx);
    CHECK(conn_ctx->continueDownstream() == Status::Ok);
  };
  host->tick();
  CHECK(ticks == 1);
  CHECK(downstream == 2);  // resumed data is forwarded without another callback
  CHECK(c.forwardedDownstream() == "[abc]hold");
  CHECK(c.sendUpstreamData("reply", true) == Action::Continue);
  CHECK(upstream == 1);
  CHECK(c.closed());
  c.closeDownstream(proxy_wasm::PeerType::Local);
  CHECK(closes == std::vector<proxy_wasm::PeerType>{proxy_wasm::PeerType::Unknown, proxy_wasm::PeerType::Local});
  c.finish();
  const std::string id = std::to_string(c.id());
  auto& trace = test_plugin::hooks().trace;
  CHECK(std::vector<std::string>(trace.end() - 3, trace.end()) ==
        std::vector<std::string>{"done " + id, "log " + id, "delete " + id});
}

namespace {
class Closer : public proxy_wasm::GrpcStreamHandler {
 public:
  Closer(int* closes, int* messages) : closes_(closes), messages_(messages) {}
  void onMessage(size_t) override {
    ++*messages_;
    CHECK(close() == Status::Ok);  // half-close: the server may still answer
  }
  void onClose(GrpcStatus) override { ++*closes_; }

 private:
  int* closes_;
  int* messages_;
};
}  // namespace

TEST_CASE_FIXTURE(Fixture, "gRPC: half-close and cancel") {
  host->startPlugin({"root_only"});
  int closes = 0, messages = 0, ticks = 0;
  uint32_t cancelled = 0;
  test_plugin::hooks().on_tick = [&](proxy_wasm::RootContext& root) {
    ++ticks;
    REQUIRE(root.grpcStream(proxy_wasm::GrpcRequest("grpc", "S", "M"), std::make_unique<Closer>(&closes, &messages)).ok());
    auto call = root.grpcCall(proxy_wasm::GrpcRequest("grpc", "S", "M").message("m"), [](const proxy_wasm::GrpcCallResponse&) {
      FAIL("a cancelled call's callback never runs");
    });
    REQUIRE(call.ok());
    cancelled = *call;
    CHECK(root.cancelGrpc(*call) == Status::Ok);
    CHECK(root.cancelGrpc(*call) == Status::NotFound);
    CHECK(proxy_wasm::detail::raw::grpcSend(*call, "x", false) == Status::BadArgument);  // not a stream
    CHECK(proxy_wasm::detail::raw::grpcCancel(4) == Status::BadArgument);              // an HTTP token
  };
  host->tick();
  CHECK(ticks == 1);
  REQUIRE(host->grpcCalls().size() == 2);
  const uint32_t stream = host->grpcCalls()[0].token;
  CHECK(host->grpcMessage(stream, "m"));
  CHECK(messages == 1);
  CHECK(host->grpcCall(stream)->local_closed);
  CHECK(host->grpcClose(stream, GrpcStatus::Ok));
  CHECK(closes == 1);
  CHECK(host->grpcCall(cancelled)->cancelled);
  CHECK_FALSE(host->respondGrpcCall(cancelled, "late"));
}
