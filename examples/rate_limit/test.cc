// rate_limit's documented behaviour, against the mock host (natively or in the engine).
#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

#include <cstdint>
#include <string>
#include <vector>

using namespace proxy_wasm::testing;
using proxy_wasm::Action;
using proxy_wasm::LogLevel;
using Logs = std::vector<std::string>;

namespace {

constexpr uint64_t kMs = 1'000'000;  // nanoseconds

std::unique_ptr<Host> started(const std::string& configuration = "") {
  auto host = makeHost();
  REQUIRE(host->startPlugin({"", configuration}) != 0);
  return host;
}

// One request from `client` (no x-client-id when null); true when it was let through.
bool request(Host& host, const char* client, uint32_t root = 0) {
  HeaderList headers{{":method", "GET"}, {":path", "/"}, {":authority", "example.com"}};
  if (client) headers.add("x-client-id", client);
  auto& s = host.newHttpStream(root);
  const Action a = s.sendRequestHeaders(headers, true);
  const bool allowed = a == Action::Continue && s.requestHeadersForwarded() && !s.localResponse();
  s.finish();
  return allowed;
}

// A bucket as the plugin stores it: "<nanotokens> <updated_ns>".
std::string bucket(uint64_t nanotokens, uint64_t updated_ns) {
  return std::to_string(nanotokens) + " " + std::to_string(updated_ns);
}

std::string stored(const Host& host, const std::string& key) {
  auto v = host.sharedData(key);
  return v ? v->first : "<absent>";
}

}  // namespace

TEST_CASE("defaults: 10 requests pass, the 11th gets a 429 with retry-after") {
  auto host = started();
  CHECK(host->counter("rate_limit.allowed") == 0u);
  CHECK(host->counter("rate_limit.rejected") == 0u);
  for (int i = 0; i < 10; ++i) CHECK(request(*host, nullptr));
  CHECK(host->counter("rate_limit.allowed") == 10u);

  auto& s = host->newHttpStream();
  CHECK(s.sendRequestHeaders({{":method", "GET"}, {":path", "/"}}, true) == Action::Pause);
  CHECK_FALSE(s.requestHeadersForwarded());
  REQUIRE(s.localResponse());
  CHECK(s.localResponse()->status == 429);
  CHECK(s.localResponse()->body == "too many requests");
  CHECK(s.localResponse()->headers == HeaderList{{"retry-after", "1"}});
  CHECK(s.localResponse()->details == "rate_limited");
  CHECK_FALSE(s.localResponse()->grpc_status);
  s.finish();

  CHECK(host->counter("rate_limit.allowed") == 10u);
  CHECK(host->counter("rate_limit.rejected") == 1u);
  CHECK(host->logs(LogLevel::Warn).empty());
  CHECK(host->logs(LogLevel::Error).empty());
  CHECK(host->violations().empty());
}

TEST_CASE("the bucket lives in shared data under rate_limit:<client> as \"<nanotokens> <updated_ns>\"") {
  auto host = started(R"({"requests_per_second": 3})");
  const uint64_t t0 = host->now();
  CHECK(stored(*host, "rate_limit:alice") == "<absent>");
  CHECK(request(*host, "alice"));  // starts full (3 tokens), takes one
  CHECK(stored(*host, "rate_limit:alice") == bucket(2'000'000'000, t0));
  host->advanceTime(100);  // +0.3 token
  CHECK(request(*host, "alice"));
  CHECK(stored(*host, "rate_limit:alice") == bucket(1'300'000'000, t0 + 100 * kMs));
}

TEST_CASE("refills continuously at N per second by the host clock, up to N") {
  auto host = started(R"({"requests_per_second": 2})");
  const uint64_t t0 = host->now();
  CHECK(request(*host, "c"));
  CHECK(request(*host, "c"));
  CHECK_FALSE(request(*host, "c"));

  host->advanceTime(499);  // 0.998 token
  CHECK_FALSE(request(*host, "c"));
  host->advanceTime(1);  // exactly 1 token after 500 ms
  CHECK(request(*host, "c"));
  CHECK(stored(*host, "rate_limit:c") == bucket(0, t0 + 500 * kMs));
  CHECK_FALSE(request(*host, "c"));

  host->advanceTime(60'000);  // a minute refills only the capacity
  CHECK(request(*host, "c"));
  CHECK(request(*host, "c"));
  CHECK_FALSE(request(*host, "c"));
  CHECK(host->counter("rate_limit.allowed") == 5u);
  CHECK(host->counter("rate_limit.rejected") == 4u);
}

TEST_CASE("a rejected request writes nothing") {
  auto host = started(R"({"requests_per_second": 1})");
  CHECK(request(*host, "d"));
  const auto before = host->sharedData("rate_limit:d");
  host->advanceTime(300);
  CHECK_FALSE(request(*host, "d"));
  CHECK(host->sharedData("rate_limit:d") == before);  // same value, same cas
}

TEST_CASE("every client has its own bucket") {
  auto host = started(R"({"requests_per_second": 1})");
  CHECK(request(*host, "alice"));
  CHECK_FALSE(request(*host, "alice"));
  CHECK(request(*host, "bob"));
  CHECK_FALSE(request(*host, "bob"));
  CHECK(request(*host, nullptr));
  CHECK(request(*host, "Alice"));  // values are case-sensitive
  CHECK(host->sharedData("rate_limit:alice"));
  CHECK(host->sharedData("rate_limit:Alice"));
  CHECK(host->sharedData("rate_limit:bob"));
  CHECK(host->sharedData("rate_limit:anonymous"));
  CHECK(host->counter("rate_limit.allowed") == 4u);
  CHECK(host->counter("rate_limit.rejected") == 2u);
}

TEST_CASE("no x-client-id, an empty one and the literal anonymous share the anonymous bucket") {
  auto host = started(R"({"requests_per_second": 2})");
  CHECK(request(*host, nullptr));
  CHECK(request(*host, ""));
  CHECK_FALSE(request(*host, "anonymous"));
  CHECK_FALSE(host->sharedData("rate_limit:"));
}

TEST_CASE("the first x-client-id value names the client; the header name is case-insensitive") {
  auto host = started(R"({"requests_per_second": 1})");
  auto& s = host->newHttpStream();
  CHECK(s.sendRequestHeaders({{":path", "/"}, {"X-Client-Id", "first"}, {"x-client-id", "second"}}) ==
        Action::Continue);
  CHECK(host->sharedData("rate_limit:first"));
  CHECK_FALSE(host->sharedData("rate_limit:second"));
  CHECK_FALSE(request(*host, "first"));
  CHECK(request(*host, "second"));
}

TEST_CASE("buckets are shared by every plugin instance of the VM (and by other workers)") {
  auto host = makeHost();
  const uint32_t a = host->startPlugin({"", R"({"requests_per_second": 1})", "first"});
  const uint32_t b = host->startPlugin({"", R"({"requests_per_second": 1})", "second"});
  REQUIRE(a != 0);
  REQUIRE(b != 0);
  CHECK(request(*host, "alice", a));
  CHECK_FALSE(request(*host, "alice", b));

  // A bucket another worker wrote is honoured.
  const uint64_t t0 = host->now();
  host->setSharedData("rate_limit:carol", bucket(0, t0));
  CHECK_FALSE(request(*host, "carol", a));
  host->setSharedData("rate_limit:carol", bucket(1'000'000'000, t0));
  CHECK(request(*host, "carol", b));
  CHECK(stored(*host, "rate_limit:carol") == bucket(0, t0));
}

TEST_CASE("an update time ahead of the host clock earns nothing until the clock passes it") {
  auto host = started();  // 10 per second
  const uint64_t t0 = host->now();
  host->setSharedData("rate_limit:e", bucket(0, t0 + 5000 * kMs));
  CHECK_FALSE(request(*host, "e"));
  host->advanceTime(5000);
  CHECK_FALSE(request(*host, "e"));
  host->advanceTime(100);  // 100 ms past the stored time: 1 token
  CHECK(request(*host, "e"));
  CHECK(stored(*host, "rate_limit:e") == bucket(0, t0 + 5100 * kMs));
}

TEST_CASE("tokens above the capacity (stored under a larger rate) are capped") {
  auto host = started(R"({"requests_per_second": 2})");
  const uint64_t t0 = host->now();
  host->setSharedData("rate_limit:f", bucket(100'000'000'000, t0));
  CHECK(request(*host, "f"));
  CHECK(stored(*host, "rate_limit:f") == bucket(1'000'000'000, t0));
}

TEST_CASE("a malformed bucket is replaced by a full one, with a warning") {
  for (const char* bad : {"", "garbage", "1", "1 2 3", "1  2", "-1 5", "1 -5", " 1 2", "1 2 ", "99999999999999999999 1"}) {
    CAPTURE(bad);
    auto host = started();  // 10 per second
    host->setSharedData("rate_limit:m", bad);
    CHECK(request(*host, "m"));
    CHECK(stored(*host, "rate_limit:m") == bucket(9'000'000'000, host->now()));
    CHECK(host->logs(LogLevel::Warn) == Logs{std::string("malformed bucket in rate_limit:m, starting a full one: ") + bad});
  }
}

TEST_CASE("CAS conflict: another worker writes between the read and the write; the retry uses its value") {
  int reads = 0;
  auto host = started();  // 10 per second
  const uint64_t t0 = host->now();
  host->setSharedData("rate_limit:alice", bucket(10'000'000'000, t0));
  host->onSharedDataRead([&](std::string_view key) {
    if (key != "rate_limit:alice") return;
    if (++reads <= 2) host->setSharedData(key, bucket(5'000'000'000, t0));  // it took 5 tokens
  });
  CHECK(request(*host, "alice"));
  CHECK(reads == 3);
  CHECK(stored(*host, "rate_limit:alice") == bucket(4'000'000'000, t0));
  CHECK(host->logs(LogLevel::Warn).empty());
  CHECK(host->counter("rate_limit.allowed") == 1u);
  host->onSharedDataRead(nullptr);
}

TEST_CASE("CAS conflict on the first attempt and on all 8 retries: allowed, with a warning") {
  int reads = 0;
  auto host = started(R"({"requests_per_second": 1})");
  const uint64_t t0 = host->now();
  host->setSharedData("rate_limit:bob", bucket(1'000'000'000, t0));
  host->onSharedDataRead([&](std::string_view key) {
    ++reads;
    host->setSharedData(key, bucket(1'000'000'000, t0));  // rewritten every time: a new cas
  });
  CHECK(request(*host, "bob"));
  CHECK(reads == 9);  // 1 attempt + 8 retries
  CHECK(host->logs(LogLevel::Warn) == Logs{"rate_limit:bob still conflicting after 8 retries; allowing the request"});
  CHECK(stored(*host, "rate_limit:bob") == bucket(1'000'000'000, t0));  // the other worker's value stands
  CHECK(host->counter("rate_limit.allowed") == 1u);
  CHECK(host->counter("rate_limit.rejected") == 0u);
  host->onSharedDataRead(nullptr);
}

TEST_CASE("CAS conflict on the first attempt and 7 retries: the 8th retry decides as usual") {
  int reads = 0;
  auto host = started(R"({"requests_per_second": 1})");
  const uint64_t t0 = host->now();
  host->setSharedData("rate_limit:bob", bucket(1'000'000'000, t0));
  host->onSharedDataRead([&](std::string_view key) {
    if (++reads <= 8) host->setSharedData(key, bucket(1'000'000'000, t0));
  });
  CHECK(request(*host, "bob"));
  CHECK(reads == 9);
  CHECK(stored(*host, "rate_limit:bob") == bucket(0, t0));
  CHECK(host->logs(LogLevel::Warn).empty());
  host->onSharedDataRead(nullptr);
}

TEST_CASE("a conflicting write that empties the bucket turns the retry into a rejection") {
  int reads = 0;
  auto host = started(R"({"requests_per_second": 1})");
  const uint64_t t0 = host->now();
  host->setSharedData("rate_limit:carol", bucket(1'000'000'000, t0));
  host->onSharedDataRead([&](std::string_view key) {
    if (++reads == 1) host->setSharedData(key, bucket(0, t0));  // the other worker took the last token
  });
  CHECK_FALSE(request(*host, "carol"));
  CHECK(reads == 2);
  CHECK(stored(*host, "rate_limit:carol") == bucket(0, t0));
  CHECK(host->counter("rate_limit.rejected") == 1u);
  host->onSharedDataRead(nullptr);
}

TEST_CASE("a bucket another worker creates while the new client is counted is used") {
  int reads = 0;
  auto host = started();  // 10 per second
  const uint64_t t0 = host->now();
  host->onSharedDataRead([&](std::string_view key) {
    if (key == "rate_limit:dave" && ++reads == 1) host->setSharedData(key, bucket(0, t0));  // after our NotFound
  });
  CHECK_FALSE(request(*host, "dave"));  // the second read sees the other worker's empty bucket
  CHECK(reads == 2);
  CHECK(stored(*host, "rate_limit:dave") == bucket(0, t0));
  CHECK(stored(*host, "rate_limit#clients") == "1");
  host->onSharedDataRead(nullptr);
}

TEST_CASE("a new bucket is created whatever the cas: a creation racing the write is overwritten (ABI limit)") {
  int reads = 0;
  auto host = started();  // 10 per second
  const uint64_t t0 = host->now();
  host->onSharedDataRead([&](std::string_view key) {
    if (key == "rate_limit:dave" && ++reads == 2) host->setSharedData(key, bucket(0, t0));  // after the 2nd NotFound
  });
  CHECK(request(*host, "dave"));
  CHECK(reads == 2);
  CHECK(stored(*host, "rate_limit:dave") == bucket(9'000'000'000, t0));
  host->onSharedDataRead(nullptr);
}

TEST_CASE("at most max_clients clients get a bucket; the others share rate_limit#overflow") {
  auto host = started(R"({"requests_per_second": 1, "max_clients": 2})");
  const uint64_t t0 = host->now();
  CHECK(request(*host, "a"));
  CHECK(request(*host, "b"));
  CHECK(stored(*host, "rate_limit#clients") == "2");
  CHECK(host->logs(LogLevel::Warn).empty());
  CHECK(request(*host, "c"));        // the overflow bucket's one token
  CHECK_FALSE(request(*host, "d"));  // shares it: empty
  CHECK_FALSE(request(*host, "a"));  // its own bucket, empty
  CHECK(stored(*host, "rate_limit:c") == "<absent>");
  CHECK(stored(*host, "rate_limit:d") == "<absent>");
  CHECK(stored(*host, "rate_limit#overflow") == bucket(0, t0));
  CHECK(stored(*host, "rate_limit#clients") == "2");
  CHECK(host->logs(LogLevel::Warn) ==
        Logs{"max_clients (2) clients have a bucket; further clients share rate_limit#overflow"});  // once
  host->advanceTime(1000);
  CHECK(request(*host, "a"));  // refilled
  CHECK(request(*host, "e"));  // the overflow bucket refilled too
}

TEST_CASE("a known client does not touch the client count; an unreadable count means full") {
  auto host = started(R"({"max_clients": 3})");
  int count_reads = 0;
  host->onSharedDataRead([&](std::string_view key) { count_reads += key == "rate_limit#clients"; });
  CHECK(request(*host, "a"));
  CHECK(count_reads == 1);
  for (int i = 0; i < 5; ++i) CHECK(request(*host, "a"));
  CHECK(count_reads == 1);
  host->onSharedDataRead(nullptr);
  host->setSharedData("rate_limit#clients", "garbage");
  CHECK(request(*host, "b"));
  CHECK(stored(*host, "rate_limit:b") == "<absent>");
  CHECK(stored(*host, "rate_limit#overflow") != "<absent>");
}

TEST_CASE("a client id is its first 256 bytes") {
  auto host = started(R"({"requests_per_second": 1})");
  const std::string base(256, 'x');
  CHECK(request(*host, (base + "tail-1").c_str()));
  CHECK(stored(*host, "rate_limit:" + base) != "<absent>");
  CHECK_FALSE(request(*host, (base + "tail-2").c_str()));  // the same client
  CHECK(stored(*host, "rate_limit#clients") == "1");
}

TEST_CASE("configuration: defaults, and every invalid form fails configure with one error") {
  SUBCASE("empty, {} and unknown keys mean 10 per second") {
    for (const char* ok : {"", "{}", R"({"other": true})"}) {
      CAPTURE(ok);
      auto host = started(ok);
      for (int i = 0; i < 10; ++i) CHECK(request(*host, nullptr));
      CHECK_FALSE(request(*host, nullptr));
    }
  }
  SUBCASE("the largest rate") {
    auto host = started(R"({"requests_per_second": 1000000000})");
    CHECK(request(*host, nullptr));
    CHECK(stored(*host, "rate_limit:anonymous") == bucket(999'999'999'000'000'000, host->now()));
  }
  SUBCASE("invalid") {
    for (const char* bad : {"{not json", "[]", "5", "\"x\"", "null", R"({"requests_per_second": 0})",
                            R"({"requests_per_second": -1})", R"({"requests_per_second": 2.5})",
                            R"({"requests_per_second": 10.0})", R"({"requests_per_second": "10"})",
                            R"({"requests_per_second": true})", R"({"requests_per_second": null})",
                            R"({"requests_per_second": 1000000001})", R"({"requests_per_second": 18446744073709551615})",
                            R"({"max_clients": 0})", R"({"max_clients": -1})", R"({"max_clients": 10000001})",
                            R"({"max_clients": "5"})", R"({"max_clients": 2.5})"}) {
      CAPTURE(bad);
      auto host = makeHost();
      CHECK(host->startPlugin({"", bad}) == 0);
      CHECK(host->logs(LogLevel::Error).size() == 1);
    }
  }
}

TEST_CASE("a new configuration applies to the existing buckets") {
  auto host = makeHost();
  const uint32_t root = host->startPlugin({"", R"({"requests_per_second": 5})"});
  REQUIRE(root != 0);
  CHECK(request(*host, "g"));  // 4 tokens left
  REQUIRE(host->configure(root, R"({"requests_per_second": 1})"));
  CHECK(request(*host, "g"));  // capped to 1, takes it
  CHECK_FALSE(request(*host, "g"));
  CHECK_FALSE(host->configure(root, R"({"requests_per_second": 0})"));
}
