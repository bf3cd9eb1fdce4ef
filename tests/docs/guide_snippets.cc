// docs/guide.md: every C++ block of the page, as printed (snippets_in_step.py finds each one
// here byte for byte), in a plugin whose behaviour guide_snippets_test.cc pins. A block that
// is a fragment sits where it belongs (a function body, a class body) at the indentation the
// page prints it with; the helpers it names (use, parse, inspect, onAuth, ...) are defined
// around it. One module, one root id per section of the page.
#include <proxy_wasm/proxy_wasm.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// ---- "One idiom runs through this page" (root id guide_idiom) ----------------------------
namespace idiom {

class Http : public proxy_wasm::HttpContext {
 public:
  using HttpContext::HttpContext;
  proxy_wasm::Action onRequestHeaders(uint32_t, bool) override {
if (auto s = addRequestHeader("x-a", "1"); !s) proxy_wasm::logWarn("cannot add x-a: ", s);

if (auto user = getRequestHeader("x-user")) use(*user);
else if (!user.ok()) proxy_wasm::logWarn("cannot read x-user: ", user.status());
    return proxy_wasm::Action::Continue;
  }

 private:
  void use(const proxy_wasm::HostString& user) { proxy_wasm::logInfo("x-user: ", user.view()); }
};

static proxy_wasm::RegisterContextFactory<proxy_wasm::RootContext, Http> registration{"guide_idiom"};

}  // namespace idiom

// ---- "Contexts and registration" (root id my_root_id) ------------------------------------
class MyRoot : public proxy_wasm::RootContext {
 public:
  using RootContext::RootContext;  // (uint32_t id, std::string_view root_id)
  bool onConfigure(size_t) override { /* read pluginConfiguration() */ return true; }
  const std::string& upstream() const { return upstream_; }
 private:
  std::string upstream_ = "backend";
};

class MyHttp : public proxy_wasm::HttpContextFor<MyRoot> {
 public:
  using HttpContextFor::HttpContextFor;  // (uint32_t id, MyRoot& root)
  proxy_wasm::Action onRequestHeaders(uint32_t, bool) override {
    const std::string& upstream = root().upstream();  // root() is a MyRoot&: no cast
    if (auto s = addRequestHeader("x-upstream", upstream); !s) proxy_wasm::logWarn("cannot add x-upstream: ", s);
    return proxy_wasm::Action::Continue;
  }
};

static proxy_wasm::RegisterContextFactory<MyRoot, MyHttp> registration{"my_root_id"};

// ---- "The VM itself": a VM configuration is accepted when it is a JSON object ------------
static bool parse(std::string_view vm_configuration) {
  return vm_configuration.size() >= 2 && vm_configuration.front() == '{' && vm_configuration.back() == '}';
}

class MyVm : public proxy_wasm::VmContext {
 public:
  bool onVmStart(size_t vm_configuration_size) override {
    if (vm_configuration_size == 0) return true;
    auto config = vmConfiguration();
    if (!config) {
      proxy_wasm::logError("cannot read the VM configuration: ", config.status());
      return false;  // the VM does not start: the host refuses the plugin
    }
    return parse(config->view());
  }
};
static proxy_wasm::RegisterVmContext<MyVm> vm;

// ---- "Which context a call acts on" (root id guide_delay) ---------------------------------
namespace delay {

class DelayRoot : public proxy_wasm::RootContext {
 public:
  using RootContext::RootContext;
};

class DelayHttp : public proxy_wasm::HttpContextFor<DelayRoot> {
 public:
  using HttpContextFor::HttpContextFor;

proxy_wasm::Action onRequestHeaders(uint32_t, bool) override {  // in a HttpContextFor<DelayRoot>
  // A call on the root (it arms the root's tick)...
  auto timer = root().addOneShotTimer(std::chrono::milliseconds(100), [this] {
    // ...runs later in the root's tick, and still acts on this stream:
    timer_ = 0;
    if (auto s = addRequestHeader("x-delay-done", "1"); !s) proxy_wasm::logWarn("cannot add x-delay-done: ", s);
    if (auto s = continueRequest(); !s) proxy_wasm::logError("cannot resume the request: ", s);
  });
  if (!timer) {
    proxy_wasm::logWarn("cannot arm the delay timer: ", timer.status());
    return proxy_wasm::Action::Continue;
  }
  timer_ = *timer;
  // ...then this stream's own calls act on this stream.
  if (auto s = addRequestHeader("x-delayed", "1"); !s) proxy_wasm::logWarn("cannot add x-delayed: ", s);
  return proxy_wasm::Action::Pause;
}
void onDelete() override {
  if (timer_) root().cancelTimer(timer_);  // the lambda holds `this`: never let it outlive the stream
}

 private:
  uint32_t timer_ = 0;
};

static proxy_wasm::RegisterContextFactory<DelayRoot, DelayHttp> registration{"guide_delay"};

}  // namespace delay

// ---- "Statuses, results and lookups" (root id guide_results) -----------------------------
namespace results {

class Http : public proxy_wasm::HttpContext {
 public:
  using HttpContext::HttpContext;
  proxy_wasm::Action onRequestBody(size_t, bool end_of_stream) override {
    if (!end_of_stream) return proxy_wasm::Action::Pause;  // the whole body, at its end
if (auto body = getRequestBody()) inspect(body->view());                      // Result
else proxy_wasm::logWarn("cannot read the body: ", body.status());

const int64_t code = proxy_wasm::attributes::responseCode().value_or(0);       // Maybe
if (auto cached = proxy_wasm::getSharedData("config")) apply(cached->value.view());
else if (!cached.ok()) proxy_wasm::logWarn("cannot read the shared config: ", cached.status());
    proxy_wasm::logInfo("response code: ", code);
    return proxy_wasm::Action::Continue;
  }

 private:
  void inspect(std::string_view body) { proxy_wasm::logInfo("body: ", body); }
  void apply(std::string_view config) { proxy_wasm::logInfo("shared config: ", config); }
};

static proxy_wasm::RegisterContextFactory<proxy_wasm::RootContext, Http> registration{"guide_results"};

}  // namespace results

// ---- "Headers, bodies, stream control" (root id guide_replies) ---------------------------
namespace replies {

class Http : public proxy_wasm::HttpContext {
 public:
  using HttpContext::HttpContext;
  proxy_wasm::Action onRequestHeaders(uint32_t, bool) override {
    const int seconds = 30;
std::vector<std::pair<std::string, std::string>> headers{{"retry-after", std::to_string(seconds)}};
if (auto s = sendLocalResponse(429, "slow down", headers, "rate_limited"); !s)
  proxy_wasm::logError("cannot send the 429: ", s);
    return proxy_wasm::Action::Pause;
  }
};

static proxy_wasm::RegisterContextFactory<proxy_wasm::RootContext, Http> registration{"guide_replies"};

}  // namespace replies

// ---- "Callouts" (root id guide_callouts) ---------------------------------------------------
namespace callouts {

class Watcher : public proxy_wasm::GrpcStreamHandler {
 public:
  void onMessage(size_t size) override { proxy_wasm::logInfo("watch: ", size, " bytes"); }
};

class Http : public proxy_wasm::HttpContext {
 public:
  using HttpContext::HttpContext;
  proxy_wasm::Action onRequestHeaders(uint32_t, bool) override {
auto call = httpCall(proxy_wasm::HttpRequest("auth")
                         .header(":method", "GET")
                         .header(":path", "/check")
                         .header(":authority", "auth.local")
                         .timeout(std::chrono::seconds(1)),
                     [this](const proxy_wasm::HttpCallResponse& response) { onAuth(response); });
if (!call) proxy_wasm::logWarn("cannot call auth: ", call.status());
    auto request_id = getRequestHeader("x-request-id");
    const std::string id = request_id ? request_id->str() : std::string("none");
    const std::string request_bytes = "\x0a\x02id";  // a serialized protobuf message
auto rpc = grpcCall(proxy_wasm::GrpcRequest("grpc-auth", "auth.Authorizer", "Check")
                        .metadata("x-request-id", id)
                        .message(request_bytes)  // serialized protobuf: bring your own codec
                        .timeout(std::chrono::milliseconds(500)),
                    [this](const proxy_wasm::GrpcCallResponse& response) { onCheck(response); });

auto stream = grpcStream(proxy_wasm::GrpcRequest("grpc-events", "events.Feed", "Watch"),
                         std::make_unique<Watcher>());  // a GrpcStreamHandler subclass
    if (!rpc) proxy_wasm::logWarn("cannot call grpc-auth: ", rpc.status());
    if (!stream) proxy_wasm::logWarn("cannot open grpc-events: ", stream.status());
    return call ? proxy_wasm::Action::Pause : proxy_wasm::Action::Continue;
  }

 private:
  void onAuth(const proxy_wasm::HttpCallResponse& response) {
    proxy_wasm::logInfo("auth: ", response.status());
    if (auto s = continueRequest(); !s) proxy_wasm::logError("cannot resume the request: ", s);
  }
  void onCheck(const proxy_wasm::GrpcCallResponse& response) {
    proxy_wasm::logInfo("check: ", response.ok() ? "reply" : "no reply");
  }
};

static proxy_wasm::RegisterContextFactory<proxy_wasm::RootContext, Http> registration{"guide_callouts"};

}  // namespace callouts

// ---- "Metrics" (root id guide_metrics) -----------------------------------------------------
namespace metrics {

class Root : public proxy_wasm::RootContext {
 public:
  using RootContext::RootContext;
  bool onStart(size_t) override {
// In the root (onStart): defining checks nothing with the host.
responses_ = proxy_wasm::TaggedCounter<std::string_view, uint32_t>::define("responses", {"method", "code"}).value();
    return true;
  }
  proxy_wasm::TaggedCounter<std::string_view, uint32_t>& responses() { return responses_; }

 private:
  proxy_wasm::TaggedCounter<std::string_view, uint32_t> responses_;
};

class Http : public proxy_wasm::HttpContextFor<Root> {
 public:
  using HttpContextFor::HttpContextFor;
  proxy_wasm::Action onRequestHeaders(uint32_t, bool) override {
    if (auto m = getRequestHeader(":method")) method_ = m->str();
    return proxy_wasm::Action::Continue;
  }
  proxy_wasm::Action onResponseHeaders(uint32_t, bool) override {
    const std::string_view method = method_;
    uint32_t code = 0;
    if (auto status = getResponseHeader(":status"); status && status->size() == 3)
      for (char c : status->view()) code = code * 10 + uint32_t(c - '0');
if (auto s = root().responses().increment(1, method, code); !s) proxy_wasm::logWarn("cannot count: ", s);
// e.g. the stat method.GET.code.200.responses
    return proxy_wasm::Action::Continue;
  }

 private:
  std::string method_;
};

static proxy_wasm::RegisterContextFactory<Root, Http> registration{"guide_metrics"};

}  // namespace metrics

// ---- "Shared data and queues" (root id guide_queues) ---------------------------------------
namespace queues {

class Root : public proxy_wasm::RootContext {
 public:
  using RootContext::RootContext;
  bool onStart(size_t) override {
    auto queue = proxy_wasm::SharedQueue::registerQueue("work");
    if (!queue) {
      proxy_wasm::logError("cannot register the queue: ", queue.status());
      return false;
    }
    queue_ = *queue;
    return true;
  }

void onQueueReady(uint32_t) override {
  for (;;) {
    auto item = queue_.dequeue();
    if (!item) {
      if (!item.ok()) proxy_wasm::logWarn("cannot dequeue: ", item.status());
      break;  // drained
    }
    handle(item->view());
  }
}

 private:
  void handle(std::string_view item) { proxy_wasm::logInfo("item: ", item); }
  proxy_wasm::SharedQueue queue_;
};

static proxy_wasm::RegisterContextFactory<Root> registration{"guide_queues"};

}  // namespace queues

// ---- "Properties" (root id guide_properties) ------------------------------------------------
namespace properties {

class Http : public proxy_wasm::HttpContext {
 public:
  using HttpContext::HttpContext;
  void onLog() override {
static constexpr auto kCode = proxy_wasm::propertyPath("response", "code");
auto code = proxy_wasm::getPropertyInt(kCode);   // no path built per call
    if (code) proxy_wasm::logInfo("response.code: ", *code);
  }
};

static proxy_wasm::RegisterContextFactory<proxy_wasm::RootContext, Http> registration{"guide_properties"};

}  // namespace properties

// ---- docs/vnext.md, "Building a plugin for the draft" (root id guide_features) ----------------
namespace features {

class Http : public proxy_wasm::HttpContext {
 public:
  using HttpContext::HttpContext;
  proxy_wasm::Action onRequestHeaders(uint32_t, bool) override {
if constexpr (proxy_wasm::features::kProperties) {
  auto path = getProperty({"request", "path"});   // ABI v0.2.1
  if (path) proxy_wasm::logInfo("path: ", *path);
} else {
  auto path = getRequestHeader(":path");           // the draft has no properties
  if (path) proxy_wasm::logInfo("path: ", *path);
}
    return proxy_wasm::Action::Continue;
  }
};

static proxy_wasm::RegisterContextFactory<proxy_wasm::RootContext, Http> registration{"guide_features"};

}  // namespace features
