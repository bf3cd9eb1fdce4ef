// request_delay: holds each request for a configured time, then lets it through.
//
// Configuration: the delay in milliseconds, as plain text ("250"); empty means 100. Paths
// under /fast are never delayed.
//
// On the request headers the stream arms a one-shot timer on its root, marks the request
// (x-delayed-ms: <delay>), logs "delaying <path> by <delay> ms" and pauses. When the timer
// fires, in the root's tick, the root adds x-delay-done: 1 to the paused request and
// resumes it. A stream that ends first cancels its timer.
//
// It shows that a context's members act on that context from wherever they are called: the
// stream keeps working after a call on its root (the timer), and the root edits and resumes
// the stream from its own callback.
#include <proxy_wasm/proxy_wasm.h>

#include <charconv>
#include <chrono>
#include <string>

namespace {

using proxy_wasm::Action;

class DelayRoot : public proxy_wasm::RootContext {
 public:
  using RootContext::RootContext;

  bool onConfigure(size_t size) override {
    delay_ms_ = 100;
    if (size == 0) return true;
    auto config = pluginConfiguration();
    if (!config) {
      proxy_wasm::logError("cannot read the plugin configuration: ", config.status());
      return false;
    }
    const std::string_view text = config->view();
    uint32_t ms = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), ms);
    if (error != std::errc() || end != text.data() + text.size()) {
      proxy_wasm::logError("configuration must be a delay in milliseconds, got: ", text);
      return false;
    }
    delay_ms_ = ms;
    return true;
  }

  std::chrono::milliseconds delay() const { return std::chrono::milliseconds(delay_ms_); }

 private:
  uint32_t delay_ms_ = 100;
};

class DelayStream : public proxy_wasm::HttpContextFor<DelayRoot> {
 public:
  using HttpContextFor::HttpContextFor;

  Action onRequestHeaders(uint32_t, bool) override {
    auto path = getRequestHeader(":path");
    if (!path.ok()) proxy_wasm::logWarn("cannot read :path: ", path.status());
    if (path && path->view().substr(0, 5) == "/fast") return Action::Continue;

    // A call on the root (it arms the root's tick)...
    auto timer = root().addOneShotTimer(root().delay(), [this] { resume(); });
    if (!timer) {
      proxy_wasm::logWarn("cannot arm the delay timer: ", timer.status(), "; not delaying");
      return Action::Continue;
    }
    timer_ = *timer;
    // ...then this stream's own calls, which act on this stream.
    const std::string ms = std::to_string(root().delay().count());
    if (auto s = addRequestHeader("x-delayed-ms", ms); !s) proxy_wasm::logWarn("cannot add x-delayed-ms: ", s);
    proxy_wasm::logInfo("delaying ", path ? path->view() : std::string_view("-"), " by ", ms, " ms");
    return Action::Pause;
  }

  void onDelete() override {
    if (timer_) root().cancelTimer(timer_);  // the stream ended before its timer
  }

 private:
  // Runs in the root's tick: edits and resumes this paused stream.
  void resume() {
    timer_ = 0;
    if (auto s = addRequestHeader("x-delay-done", "1"); !s) proxy_wasm::logWarn("cannot add x-delay-done: ", s);
    if (auto s = continueRequest(); !s) proxy_wasm::logError("cannot resume the request: ", s);
  }

  uint32_t timer_ = 0;
};

proxy_wasm::RegisterContextFactory<DelayRoot, DelayStream> registration{""};

}  // namespace
