// shared_queue's documented behaviour, against the mock host (natively or in the engine).
// One module, two plugins in the same VM: `receiver` (root only) and `sender` (HTTP).
#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

#include <string>
#include <vector>

using namespace proxy_wasm::testing;
using proxy_wasm::Action;
using proxy_wasm::LogLevel;
using Logs = std::vector<std::string>;

TEST_CASE("the receiver registers queue http_requests of its own vm_id on configure") {
  HostOptions options;
  options.vm_id = "shared";
  auto host = makeHost(options);
  CHECK_FALSE(host->queueId("http_requests"));
  REQUIRE(host->startPlugin({"receiver"}) != 0);
  CHECK(host->queueId("http_requests", "shared"));
  CHECK_FALSE(host->queueId("http_requests", "other"));
  CHECK(host->logs(LogLevel::Warn).empty());
  CHECK(host->logs(LogLevel::Error).empty());
  CHECK(host->violations().empty());
}

TEST_CASE("the receiver logs every item it is notified of, and leaves the queue empty") {
  auto host = makeHost();
  const uint32_t receiver = host->startPlugin({"receiver"});
  REQUIRE(receiver != 0);
  const auto queue = host->queueId("http_requests");
  REQUIRE(queue);
  const std::string binary("x\0y", 3);
  CHECK(host->enqueue(*queue, "GET /from-another-vm"));
  CHECK(host->enqueue(*queue, ""));
  CHECK(host->enqueue(*queue, binary));
  CHECK(host->logs(LogLevel::Info) == Logs{"dequeued: GET /from-another-vm", "dequeued: ", "dequeued: " + binary});
  CHECK(host->queueSize(*queue) == 0);
  for (auto& entry : host->logs()) CHECK(entry.context_id == receiver);
}

TEST_CASE("one notification drains every waiting item; later notifications find the queue empty") {
  auto host = makeHost();
  REQUIRE(host->startPlugin({"receiver"}) != 0);
  const auto queue = host->queueId("http_requests");
  REQUIRE(queue);
  host->holdQueueNotifications(true);  // the receiver is busy while three items arrive
  CHECK(host->enqueue(*queue, "a"));
  CHECK(host->enqueue(*queue, "b"));
  CHECK(host->enqueue(*queue, "c"));
  CHECK(host->logs(LogLevel::Info).empty());
  host->holdQueueNotifications(false);  // three notifications: the first drains all
  CHECK(host->logs(LogLevel::Info) == Logs{"dequeued: a", "dequeued: b", "dequeued: c"});
  CHECK(host->queueSize(*queue) == 0);
  CHECK(host->logs(LogLevel::Warn).empty());
  CHECK(host->logs(LogLevel::Error).empty());
}

TEST_CASE("the sender enqueues METHOD PATH for every request; the receiver logs it") {
  auto host = makeHost();
  const uint32_t receiver = host->startPlugin({"receiver"});
  const uint32_t sender = host->startPlugin({"sender"});
  REQUIRE(receiver != 0);
  REQUIRE(sender != 0);

  auto& a = host->newHttpStream(sender);
  CHECK(a.sendRequestHeaders({{":method", "GET"}, {":path", "/hello"}, {":authority", "example.com"}}) ==
        Action::Continue);
  CHECK(a.requestHeadersForwarded());
  auto& b = host->newHttpStream(sender);
  CHECK(b.sendRequestHeaders({{":method", "POST"}, {":path", "/submit?x=1"}}, true) == Action::Continue);

  CHECK(host->logs(LogLevel::Info) == Logs{"dequeued: GET /hello", "dequeued: POST /submit?x=1"});
  REQUIRE(host->logs().size() == 2);
  CHECK(host->logs()[0].context_id == receiver);  // notified on the registrant's root
  CHECK(host->logs()[1].context_id == receiver);
  CHECK(host->queueSize(*host->queueId("http_requests")) == 0);
  CHECK(host->logs(LogLevel::Warn).empty());
  CHECK(host->violations().empty());
}

TEST_CASE("before the receiver registers the queue the sender warns and drops the item") {
  auto host = makeHost();
  const uint32_t sender = host->startPlugin({"sender"});
  REQUIRE(sender != 0);
  auto& early = host->newHttpStream(sender);
  CHECK(early.sendRequestHeaders({{":method", "GET"}, {":path", "/early"}}) == Action::Continue);
  CHECK(early.requestHeadersForwarded());
  CHECK(host->logs(LogLevel::Warn) == Logs{"queue not ready"});
  CHECK_FALSE(host->queueId("http_requests"));

  // The sender resolves the queue on every request: once it exists, items flow.
  REQUIRE(host->startPlugin({"receiver"}) != 0);
  auto& late = host->newHttpStream(sender);
  late.sendRequestHeaders({{":method", "GET"}, {":path", "/late"}});
  CHECK(host->logs(LogLevel::Info) == Logs{"dequeued: GET /late"});  // /early was dropped
  CHECK(host->logs(LogLevel::Warn) == Logs{"queue not ready"});
}

TEST_CASE("a missing :method or :path is sent as -") {
  auto host = makeHost();
  REQUIRE(host->startPlugin({"receiver"}) != 0);
  const uint32_t sender = host->startPlugin({"sender"});
  host->newHttpStream(sender).sendRequestHeaders({{":path", "/no-method"}});
  host->newHttpStream(sender).sendRequestHeaders({{":method", "HEAD"}});
  host->newHttpStream(sender).sendRequestHeaders({{"x-only", "1"}});
  CHECK(host->logs(LogLevel::Info) == Logs{"dequeued: - /no-method", "dequeued: HEAD -", "dequeued: - -"});
}

TEST_CASE("only the request headers enqueue: the rest of the stream adds nothing") {
  auto host = makeHost();
  REQUIRE(host->startPlugin({"receiver"}) != 0);
  const uint32_t sender = host->startPlugin({"sender"});
  auto& s = host->newHttpStream(sender);
  s.sendRequestHeaders({{":method", "PUT"}, {":path", "/x"}});
  s.sendRequestBody("body", true);
  s.sendResponseHeaders({{":status", "200"}}, true);
  s.finish();
  CHECK(host->logs(LogLevel::Info) == Logs{"dequeued: PUT /x"});
}

TEST_CASE("reconfiguring the receiver keeps the queue and its id") {
  auto host = makeHost();
  const uint32_t receiver = host->startPlugin({"receiver"});
  REQUIRE(receiver != 0);
  const auto before = host->queueId("http_requests");
  CHECK(host->configure(receiver, "{}"));
  CHECK(host->queueId("http_requests") == before);
  CHECK(host->enqueue(*before, "still here"));
  CHECK(host->logs(LogLevel::Info) == Logs{"dequeued: still here"});
}

TEST_CASE("the last receiver to register is the one notified") {
  auto host = makeHost();
  const uint32_t first = host->startPlugin({"receiver", "", "first"});
  const uint32_t second = host->startPlugin({"receiver", "", "second"});
  REQUIRE(first != 0);
  REQUIRE(second != 0);
  const uint32_t sender = host->startPlugin({"sender"});
  host->newHttpStream(sender).sendRequestHeaders({{":method", "GET"}, {":path", "/"}});
  REQUIRE(host->logs(LogLevel::Info) == Logs{"dequeued: GET /"});
  CHECK(host->logs().back().context_id == second);
}

TEST_CASE("a root id other than receiver or sender does not start") {
  auto host = makeHost();
  CHECK(host->startPlugin({"other"}) == 0);
  CHECK(host->startPlugin({""}) == 0);
}
