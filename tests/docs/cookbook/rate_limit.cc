// Cookbook: rate limiting with shared data (a fixed one-second window per client, shared by
// every worker's VM through compare-and-swap).
#include <proxy_wasm/proxy_wasm.h>

#include <charconv>
#include <optional>
#include <string>
#include <string_view>

namespace {

class RateLimitRoot : public proxy_wasm::RootContext {
 public:
  using RootContext::RootContext;
  bool onConfigure(size_t) override {  // the configuration is the limit per second, e.g. "10"
    auto config = pluginConfiguration();
    if (!config) return false;
    auto [end, error] = std::from_chars(config->view().data(), config->view().data() + config->size(), limit_);
    return error == std::errc() && end == config->view().data() + config->size() && limit_ > 0;
  }
  uint64_t limit() const { return limit_; }

 private:
  uint64_t limit_ = 0;
};

class RateLimit : public proxy_wasm::HttpContextFor<RateLimitRoot> {
 public:
  using HttpContextFor::HttpContextFor;

  proxy_wasm::Action onRequestHeaders(uint32_t, bool) override {
    auto client = getRequestHeader("x-client-id");
    const std::string key = "ratelimit/" + (client ? client->str() : std::string("anonymous"));
    const uint64_t window = proxy_wasm::getCurrentTimeNanoseconds().value_or(0) / 1000000000;
    bool allowed = true;
    // The value is "<window> <count>": a new window starts the count again.
    auto s = proxy_wasm::updateSharedData(key, [&](std::optional<std::string_view> current) {
      uint64_t w = 0, count = 0;
      if (current) {
        const auto space = current->find(' ');
        std::from_chars(current->data(), current->data() + space, w);
        std::from_chars(current->data() + space + 1, current->data() + current->size(), count);
      }
      if (w != window) count = 0;
      allowed = count < root().limit();
      return std::optional<std::string>(std::to_string(window) + " " + std::to_string(count + 1));
    });
    if (!s) proxy_wasm::logWarn("rate limit state unavailable, letting the request through: ", s);
    if (s && !allowed) {
      if (auto r = sendLocalResponse(429, "too many requests", {{"retry-after", "1"}}); !r)
        proxy_wasm::logError("cannot send the 429: ", r);
      return proxy_wasm::Action::Pause;
    }
    return proxy_wasm::Action::Continue;
  }
};

proxy_wasm::RegisterContextFactory<RateLimitRoot, RateLimit> registration{"rate_limit"};

}  // namespace
