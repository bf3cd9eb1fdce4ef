// rate_limit: a token bucket per client, shared by every worker through shared data.
//
// Configuration (JSON, optional): {"requests_per_second": N, "max_clients": M}, N a positive
// integer (default 10), M a positive integer (default 10000). Each client — the
// `x-client-id` request header (its first 256 bytes), `anonymous` without one — has a
// bucket of N tokens that starts full and refills continuously at N tokens per second by
// the host clock. A request takes one token; with none left it gets a local 429 response.
// The buckets live in shared data under `rate_limit:<client>` and are updated with
// compare-and-swap, so every worker of the VM enforces one limit. Shared data cannot be
// deleted in ABI v0.2.1, so the state is bounded instead: at most M clients get a bucket of
// their own (counted in `rate_limit#clients`); any further client shares the bucket
// `rate_limit#overflow`.
#include <proxy_wasm/json.h>
#include <proxy_wasm/proxy_wasm.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace {

constexpr uint64_t kNanosPerSecond = 1'000'000'000;
// Buckets count billionths of a token ("nanotokens"): refilling N tokens per second is
// then exactly N nanotokens per elapsed nanosecond, in integers.
constexpr uint64_t kNanotokensPerToken = 1'000'000'000;
constexpr int64_t kDefaultRate = 10;
constexpr int64_t kMaxRate = 1'000'000'000;  // keeps every bucket computation below 2^63
constexpr int kMaxRetries = 8;               // CAS retries after the first attempt
constexpr int64_t kDefaultMaxClients = 10'000;
constexpr int64_t kMaxMaxClients = 10'000'000;
constexpr size_t kMaxClientIdBytes = 256;    // longer ids are cut: a key's size is bounded
constexpr std::string_view kClientsKey = "rate_limit#clients";    // how many buckets exist
constexpr std::string_view kOverflowKey = "rate_limit#overflow";  // the clients beyond the bound

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

struct Config {
  int64_t requests_per_second = kDefaultRate;
  int64_t max_clients = kDefaultMaxClients;
};

void from_json(const proxy_wasm::Json& j, Config& c) {
  // Both fields are optional integers: one jsonField call site for both (Emscripten, which
  // links without LTO, then keeps a single inlined copy: 22 kB smaller).
  for (auto [name, field] : {std::pair{"requests_per_second", &c.requests_per_second},
                             std::pair{"max_clients", &c.max_clients}})
    proxy_wasm::jsonField(j, name, *field, proxy_wasm::JsonOptional);
}

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

  bool onConfigure(size_t) override {
    // Syntax errors and a requests_per_second that is not an integer are logged by json.h.
    auto config = proxy_wasm::pluginConfigurationAs<Config>(*this);
    if (!config) return false;
    const int64_t rate = config->requests_per_second;
    if (rate <= 0 || rate > kMaxRate) {
      proxy_wasm::logError("requests_per_second must be an integer from 1 to ", kMaxRate, ": ", rate);
      return false;
    }
    if (config->max_clients <= 0 || config->max_clients > kMaxMaxClients) {
      proxy_wasm::logError("max_clients must be an integer from 1 to ", kMaxMaxClients, ": ", config->max_clients);
      return false;
    }
    rate_ = uint64_t(rate);
    max_clients_ = uint64_t(config->max_clients);
    return true;
  }

  // Takes a token from `client`'s bucket: true when the request may pass.
  bool admit(const std::string& client) {
    std::string key = "rate_limit:" + client;
    auto now = proxy_wasm::getCurrentTimeNanoseconds();
    if (!now) {
      proxy_wasm::logWarn("cannot read the host clock: ", now.status(), "; allowing the request");
      return true;
    }
    bool allowed = true;
    bool absent = false;
    auto s = takeToken(key, *now, /*create=*/false, allowed, absent);
    if (s && absent) {
      // A new client: a bucket of its own while fewer than max_clients exist.
      if (!claimBucket()) key = std::string(kOverflowKey);
      s = takeToken(key, *now, /*create=*/true, allowed, absent);
    }
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
  // One token from the bucket under `key` (compare-and-swap, up to kMaxRetries retries).
  // A missing bucket is created full when `create`, else `absent` is set and nothing written.
  proxy_wasm::Status takeToken(const std::string& key, uint64_t now, bool create, bool& allowed, bool& absent) {
    return proxy_wasm::updateSharedData(
        key,
        [&](std::optional<std::string_view> stored) -> std::optional<std::string> {
          absent = !stored;
          if (!stored && !create) return std::nullopt;
          Bucket bucket = Bucket::full(rate_, now);
          if (stored) {
            if (auto parsed = Bucket::parse(*stored)) {
              bucket = *parsed;
            } else {
              proxy_wasm::logWarn("malformed bucket in ", key, ", starting a full one: ", *stored);
            }
          }
          bucket.refill(rate_, now);
          allowed = bucket.nanotokens >= kNanotokensPerToken;
          if (!allowed) return std::nullopt;  // nothing to write: the refill is recomputed next time
          bucket.nanotokens -= kNanotokensPerToken;
          return bucket.encode();
        },
        /*max_attempts=*/1 + kMaxRetries);
  }

  // Counts one more bucket in rate_limit#clients: false when max_clients exist already
  // (or the count cannot be updated: the bound holds whatever fails).
  bool claimBucket() {
    bool full = false;
    const auto s = proxy_wasm::updateSharedData(
        kClientsKey,
        [&](std::optional<std::string_view> stored) -> std::optional<std::string> {
          uint64_t clients = 0;
          if (stored) {
            const char* const end = stored->data() + stored->size();
            auto r = std::from_chars(stored->data(), end, clients);
            if (r.ec != std::errc() || r.ptr != end) clients = max_clients_;  // unreadable: assume full
          }
          full = clients >= max_clients_;
          if (full) return std::nullopt;
          return std::to_string(clients + 1);
        },
        /*max_attempts=*/1 + kMaxRetries);
    if (!s) {
      proxy_wasm::logWarn("cannot count a new client in ", kClientsKey, ": ", s, "; using ", kOverflowKey);
      return false;
    }
    if (full && !overflow_logged_) {
      overflow_logged_ = true;
      proxy_wasm::logWarn("max_clients (", max_clients_, ") clients have a bucket; further clients share ",
                          kOverflowKey);
    }
    return !full;
  }

  uint64_t rate_ = kDefaultRate;
  uint64_t max_clients_ = kDefaultMaxClients;
  bool overflow_logged_ = false;
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
  // The first x-client-id value (its first 256 bytes); `anonymous` when there is none (or
  // it is empty).
  std::string clientId() const {
    auto id = getRequestHeader("x-client-id");
    if (!id.ok()) proxy_wasm::logWarn("cannot read x-client-id: ", id.status(), "; using anonymous");
    if (!id || id->empty()) return "anonymous";
    return std::string(id->view().substr(0, kMaxClientIdBytes));
  }
};

proxy_wasm::RegisterContextFactory<RateLimitRoot, RateLimitContext> registration{""};

}  // namespace
