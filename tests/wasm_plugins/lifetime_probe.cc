// The lifetime probe (root id "lifetime"), built natively and as .wasm so that
// tests/host/lifetime_test.cc runs the same deletion orders both ways: a root deleted before
// its streams, a stream deleted inside its own callout callback, ids reused, unknown ids.
// Every context logs (at Info) when it is made, called, finalized and freed, and what its
// root says it is at that moment, so a test reads what ran on which object:
//   "new root <id> '<root id>'", "new http <id> of <root id>"
//   "request headers <id> of <root id> '<root id>'" (and response headers)
//   "log <id>", "done <id>", "delete <id> of <root id> '<root id>'"
//   "free <id> (<live> left)": the object's destructor; <live> counts the probe's objects
//   "tick <id>: <live> live"
// A stream's request header `x-op` lists what it does, separated by commas:
//   call            proxy_http_call through the SDK (ContextBase::httpCall); the callback
//                   logs "response <id> of <root id> '<root id>': status <:status>"
//   end-in-callback in that callback, call the host's foreign function "end_stream" with
//                   this stream's id (the host deletes the stream from inside it), then log
//                   "after end_stream <id>: <status> kind <kind> root '<root id>'"
//   pause           return Pause from the request headers
#include <proxy_wasm/proxy_wasm.h>

#include <string>
#include <string_view>

namespace {

int g_live = 0;  // probe objects alive (roots and streams)

using proxy_wasm::logInfo;

class LifetimeRoot : public proxy_wasm::RootContext {
 public:
  LifetimeRoot(uint32_t id, std::string_view root_id) : RootContext(id, root_id) {
    ++g_live;
    logInfo("new root ", id, " '", root_id, "'");
  }
  ~LifetimeRoot() override {
    --g_live;
    logInfo("free ", id(), " (", g_live, " left)");
  }
  void onTick() override { logInfo("tick ", id(), ": ", g_live, " live"); }
  bool onDone() override {
    logInfo("done ", id());
    return true;
  }
  void onDelete() override { logInfo("delete ", id(), " of ", root().id(), " '", rootId(), "'"); }
};

class LifetimeStream : public proxy_wasm::HttpContext {
 public:
  LifetimeStream(uint32_t id, proxy_wasm::RootContext& root) : HttpContext(id, root) {
    ++g_live;
    logInfo("new http ", id, " of ", root.id());
  }
  ~LifetimeStream() override {
    --g_live;
    logInfo("free ", id(), " (", g_live, " left)");
  }

  proxy_wasm::Action onRequestHeaders(uint32_t, bool) override {
    logInfo("request headers ", id(), " of ", root().id(), " '", root().rootId(), "'");
    auto ops = getRequestHeader("x-op");
    if (!ops) return proxy_wasm::Action::Continue;
    const std::string list(ops->view());
    const bool end_in_callback = list.find("end-in-callback") != std::string::npos;
    if (list.find("call") != std::string::npos) {
      auto token = httpCall(
          proxy_wasm::HttpRequest("cluster").headers({{":method", "GET"}, {":path", "/"}, {":authority", "a"}}),
          [this, end_in_callback](const proxy_wasm::HttpCallResponse& response) {
            auto status = response.header(":status");
            logInfo("response ", id(), " of ", root().id(), " '", root().rootId(), "': status ",
                    status ? status->view() : std::string_view("none"));
            if (!end_in_callback) return;
            // The host deletes this stream while this callback runs.
            const auto ended = callForeignFunction("end_stream", std::to_string(id()));
            // The object stays valid until the callback returns.
            logInfo("after end_stream ", id(), ": ", ended.status(), " kind ",
                    kind() == proxy_wasm::ContextKind::Http ? "http" : "other", " root '", root().rootId(), "'");
          });
      logInfo("call ", id(), ": ", token.status());
    }
    return list.find("pause") != std::string::npos ? proxy_wasm::Action::Pause : proxy_wasm::Action::Continue;
  }
  proxy_wasm::Action onResponseHeaders(uint32_t, bool) override {
    logInfo("response headers ", id(), " of ", root().id(), " '", root().rootId(), "'");
    return proxy_wasm::Action::Continue;
  }
  void onLog() override { logInfo("log ", id()); }
  bool onDone() override {
    logInfo("done ", id());
    return true;
  }
  void onDelete() override { logInfo("delete ", id(), " of ", root().id(), " '", root().rootId(), "'"); }
};

proxy_wasm::RegisterContextFactory<LifetimeRoot, LifetimeStream> registration{"lifetime"};

}  // namespace
