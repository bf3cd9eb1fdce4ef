// rate_limit: a token bucket per client, shared by every worker through shared data.
//
// Configuration (JSON, optional): {"requests_per_second": N}, N a positive integer
// (default 10). Each client — the `x-client-id` request header, `anonymous` without one —
// has a bucket of N tokens that starts full and refills continuously at N tokens per
// second by the host clock. A request takes one token; with none left it gets a local 429
// response. The buckets live in shared data under `rate_limit:<client>` and are updated
// with compare-and-swap, so every worker of the VM enforces one limit.
#include <proxy_wasm/proxy_wasm.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace {

constexpr uint64_t kNanosPerSecond = 1'000'000'000;
// Buckets count billionths of a token ("nanotokens"): refilling N tokens per second is
// then exactly N nanotokens per elapsed nanosecond, in integers.
constexpr uint64_t kNanotokensPerToken = 1'000'000'000;
constexpr int64_t kDefaultRate = 10;
constexpr int64_t kMaxRate = 1'000'000'000;  // keeps every bucket computation below 2^63
constexpr int kMaxRetries = 8;               // CAS retries after the first attempt

// One client's bucket, stored as text: "<nanotokens> <updated_ns>" (two unsigned decimal
// integers, one space): the tokens left after the last update, in billionths, and the host
// time of that update in nanoseconds since the Unix epoch.
struct Bucket {
  uint64_t nanotokens = 0;
  uint64_t updated_ns = 0;

  static Bucket full(uint64_t rate, uint64_t now_ns) { return {rate * kNanotokensPerToken, now_ns}; }

  static std::optional<Bucket> parse(std::string_view text) {
    Bucket b;
    const char* const end = text.data() + text.size();
    auto r = std::from_chars(text.data(), end, b.nanotokens);
    if (r.ec != std::errc() || r.ptr == end || *r.ptr != ' ') return std::nullopt;
    r = std::from_chars(r.ptr + 1, end, b.updated_ns);
    if (r.ec != std::errc() || r.ptr != end) return std::nullopt;
    return b;
  }

  std::string encode() const { return std::to_string(nanotokens) + ' ' + std::to_string(updated_ns); }

  // Adds what the time since the last update earned (a whole second refills any bucket),
  // up to the capacity. A stored time ahead of `now_ns` earns nothing and is kept.
  void refill(uint64_t rate, uint64_t now_ns) {
    const uint64_t capacity = rate * kNanotokensPerToken;
    nanotokens = std::min(nanotokens, capacity);
    if (now_ns > updated_ns) {
      nanotokens = std::min(capacity, nanotokens + std::min(now_ns - updated_ns, kNanosPerSecond) * rate);
      updated_ns = now_ns;
    }
  }
};

class RateLimitRoot : public proxy_wasm::RootContext {
 public:
  using RootContext::RootContext;

  bool onStart(size_t) override {
    auto allowed = proxy_wasm::Counter::define("rate_limit.allowed");
    auto rejected = proxy_wasm::Counter::define("rate_limit.rejected");
    for (auto s : {allowed.status(), rejected.status()}) {
      if (!s) {
        proxy_wasm::logError("cannot define the metrics: ", s);
        return false;
      }
    }
    allowed_ = *allowed;
    rejected_ = *rejected;
    return true;
  }

  bool onConfigure(size_t size) override {
    int64_t rate = kDefaultRate;
    if (size != 0) {
      auto config = pluginConfiguration();
      if (!config) {
        proxy_wasm::logError("cannot read the plugin configuration: ", config.status());
        return false;
      }
      const auto json = nlohmann::json::parse(config->view(), nullptr, /*allow_exceptions=*/false);
      if (json.is_discarded() || !json.is_object()) {
        proxy_wasm::logError("configuration must be a JSON object: ", config->view());
        return false;
      }
      if (auto it = json.find("requests_per_second"); it != json.end()) {
        if (!it->is_number_integer() || it->get<int64_t>() <= 0 || it->get<int64_t>() > kMaxRate) {
          proxy_wasm::logError("requests_per_second must be an integer from 1 to ", kMaxRate, ": ", it->dump());
          return false;
        }
        rate = it->get<int64_t>();
      }
    }
    rate_ = uint64_t(rate);
    return true;
  }

  // Takes a token from `client`'s bucket: true when the request may pass.
  bool admit(const std::string& client) {
    const std::string key = "rate_limit:" + client;
    auto now = proxy_wasm::getCurrentTimeNanoseconds();
    if (!now) {
      proxy_wasm::logWarn("cannot read the host clock: ", now.status(), "; allowing the request");
      return true;
    }
    bool allowed = true;
    const auto s = proxy_wasm::updateSharedData(
        key,
        [&](std::optional<std::string_view> stored) -> std::optional<std::string> {
          Bucket bucket = Bucket::full(rate_, *now);
          if (stored) {
            if (auto parsed = Bucket::parse(*stored)) {
              bucket = *parsed;
            } else {
              proxy_wasm::logWarn("malformed bucket in ", key, ", starting a full one: ", *stored);
            }
          }
          bucket.refill(rate_, *now);
          allowed = bucket.nanotokens >= kNanotokensPerToken;
          if (!allowed) return std::nullopt;  // nothing to write: the refill is recomputed next time
          bucket.nanotokens -= kNanotokensPerToken;
          return bucket.encode();
        },
        /*max_attempts=*/1 + kMaxRetries);
    if (s == proxy_wasm::Status::CasMismatch) {
      proxy_wasm::logWarn(key, " still conflicting after ", kMaxRetries, " retries; allowing the request");
      return true;
    }
    if (!s) {
      proxy_wasm::logWarn("cannot update ", key, ": ", s, "; allowing the request");
      return true;
    }
    return allowed;
  }

  void count(bool allowed) const {
    const auto& counter = allowed ? allowed_ : rejected_;
    if (auto s = counter.increment(); !s) proxy_wasm::logWarn("cannot count the request: ", s);
  }

 private:
  uint64_t rate_ = kDefaultRate;
  proxy_wasm::Counter allowed_;
  proxy_wasm::Counter rejected_;
};

class RateLimitContext : public proxy_wasm::HttpContextFor<RateLimitRoot> {
 public:
  using HttpContextFor::HttpContextFor;

  proxy_wasm::Action onRequestHeaders(uint32_t, bool) override {
    const bool allowed = root().admit(clientId());
    root().count(allowed);
    if (allowed) return proxy_wasm::Action::Continue;
    if (auto s = sendLocalResponse(429, "too many requests", {{"retry-after", "1"}}, "rate_limited"); !s) {
      proxy_wasm::logWarn("cannot send the 429 response: ", s);
      return proxy_wasm::Action::Continue;
    }
    return proxy_wasm::Action::Pause;
  }

 private:
  // The first x-client-id value; `anonymous` when there is none (or it is empty).
  std::string clientId() const {
    auto id = getRequestHeader("x-client-id");
    if (!id.ok()) proxy_wasm::logWarn("cannot read x-client-id: ", id.status(), "; using anonymous");
    if (!id || id->empty()) return "anonymous";
    return id->str();
  }
};

proxy_wasm::RegisterContextFactory<RateLimitRoot, RateLimitContext> registration{""};

}  // namespace
