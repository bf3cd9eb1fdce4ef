// docs/guide.md's blocks (guide_snippets.cc), run: each section's code does what the page
// says, against the mock host. Also the fault-injection block of docs/testing.md, as printed.
#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

#include <string>
#include <vector>

using namespace proxy_wasm::testing;
using proxy_wasm::Action;
using proxy_wasm::LogLevel;

using Lines = std::vector<std::string>;

TEST_CASE("guide: the idiom: an operation's Status, a lookup's Maybe") {
  auto host = makeHost();
  const uint32_t root = host->startPlugin({"guide_idiom"});
  REQUIRE(root != 0);
  auto& with_user = host->newHttpStream(root);
  CHECK(with_user.sendRequestHeaders({{":path", "/"}, {"x-user", "alice"}}, true) == Action::Continue);
  CHECK(with_user.requestHeaders().get("x-a") == "1");
  CHECK(host->logs(LogLevel::Info) == Lines{"x-user: alice"});

  auto& without = host->newHttpStream(root);
  CHECK(without.sendRequestHeaders({{":path", "/"}}, true) == Action::Continue);
  CHECK(without.requestHeaders().get("x-a") == "1");
  CHECK(host->logs(LogLevel::Info) == Lines{"x-user: alice"});  // absent: no use(), no warning
  CHECK(host->logs(LogLevel::Warn).empty());
}

TEST_CASE("guide: contexts and registration: a typed root reached without a cast") {
  auto host = makeHost();
  const uint32_t root = host->startPlugin({"my_root_id"});
  REQUIRE(root != 0);
  auto& stream = host->newHttpStream(root);
  CHECK(stream.sendRequestHeaders({{":path", "/"}}, true) == Action::Continue);
  CHECK(stream.requestHeaders().get("x-upstream") == "backend");
}

TEST_CASE("guide: the VM context: its configuration decides whether the VM starts") {
  {
    HostOptions good;
    good.vm_configuration = R"({"cache": 16})";
    auto host = makeHost(good);
    CHECK(host->startPlugin({"my_root_id"}) != 0);
    CHECK(host->logs(LogLevel::Critical).empty());
  }
  HostOptions bad;
  bad.vm_configuration = "cache=16";  // not what parse() accepts: onVmStart returns false
  auto refused = makeHost(bad);
  CHECK(refused->startPlugin({"my_root_id"}) == 0);
  CHECK(refused->logs(LogLevel::Critical) ==
        Lines{"proxy-wasm: VmContext::onVmStart returned false: the VM does not start"});
}

TEST_CASE("guide: a root's timer edits and resumes the paused stream that armed it") {
  auto host = makeHost();
  const uint32_t root = host->startPlugin({"guide_delay"});
  REQUIRE(root != 0);
  auto& stream = host->newHttpStream(root);
  CHECK(stream.sendRequestHeaders({{":path", "/"}}, true) == Action::Pause);
  CHECK(stream.requestHeaders().get("x-delayed") == "1");
  CHECK(!stream.requestHeadersForwarded());
  host->advanceTime(99);
  CHECK(!stream.requestHeaders().has("x-delay-done"));
  CHECK(!stream.requestHeadersForwarded());
  host->advanceTime(1);  // the timer runs in the root's tick, acting on the stream
  CHECK(stream.requestHeaders().get("x-delay-done") == "1");
  CHECK(stream.requestHeadersForwarded());
  CHECK(host->logs(LogLevel::Warn).empty());
  CHECK(host->logs(LogLevel::Error).empty());
}

TEST_CASE("guide: a stream deleted before its timer cancels it: the timer never runs") {
  auto host = makeHost();
  const uint32_t root = host->startPlugin({"guide_delay"});
  REQUIRE(root != 0);
  auto& stream = host->newHttpStream(root);
  CHECK(stream.sendRequestHeaders({{":path", "/"}}, true) == Action::Pause);
  stream.finish();  // onDelete cancels the timer
  host->clearHostCalls();
  host->advanceTime(1000);
  CHECK(host->hostCalls("proxy_add_header_map_value").empty());
  CHECK(host->hostCalls("proxy_continue_stream").empty());
  CHECK(!host->failed());
}

TEST_CASE("guide: a Result and two Maybes: body, response code, shared data") {
  auto host = makeHost();
  const uint32_t root = host->startPlugin({"guide_results"});
  REQUIRE(root != 0);
  host->setSharedData("config", "v1");
  auto& stream = host->newHttpStream(root);
  CHECK(stream.sendRequestHeaders({{":method", "POST"}, {":path", "/"}}) == Action::Continue);
  CHECK(stream.sendRequestBody("hello", true) == Action::Continue);
  CHECK(host->logs(LogLevel::Info) == Lines{"body: hello", "shared config: v1", "response code: 0"});
}

TEST_CASE("guide: an absent shared key is no warning") {
  auto host = makeHost();
  const uint32_t root = host->startPlugin({"guide_results"});
  REQUIRE(root != 0);
  auto& stream = host->newHttpStream(root);
  CHECK(stream.sendRequestHeaders({{":method", "POST"}, {":path", "/"}}) == Action::Continue);
  CHECK(stream.sendRequestBody("hello", true) == Action::Continue);
  CHECK(host->logs(LogLevel::Info) == Lines{"body: hello", "response code: 0"});
  CHECK(host->logs(LogLevel::Warn).empty());
}

TEST_CASE("guide: a local reply with headers from a vector of pairs") {
  auto host = makeHost();
  const uint32_t root = host->startPlugin({"guide_replies"});
  REQUIRE(root != 0);
  auto& stream = host->newHttpStream(root);
  CHECK(stream.sendRequestHeaders({{":path", "/"}}, true) == Action::Pause);
  REQUIRE(stream.localResponse());
  CHECK(stream.localResponse()->status == 429);
  CHECK(stream.localResponse()->body == "slow down");
  CHECK(stream.localResponse()->details == "rate_limited");
  CHECK(stream.localResponse()->headers.get("retry-after") == "30");
}

TEST_CASE("guide: callouts: an HTTP call, a unary gRPC call and a gRPC stream, each answered") {
  auto host = makeHost();
  const uint32_t root = host->startPlugin({"guide_callouts"});
  REQUIRE(root != 0);
  auto& stream = host->newHttpStream(root);
  CHECK(stream.sendRequestHeaders({{":path", "/"}, {"x-request-id", "req-7"}}, true) == Action::Pause);

  REQUIRE(host->httpCalls().size() == 1);
  const auto& http = host->httpCalls()[0];
  CHECK(http.upstream == "auth");
  CHECK(http.headers.get(":method") == "GET");
  CHECK(http.headers.get(":path") == "/check");
  CHECK(http.headers.get(":authority") == "auth.local");
  CHECK(http.timeout_ms == 1000);

  REQUIRE(host->grpcCalls().size() == 2);
  const auto& rpc = host->grpcCalls()[0];
  CHECK(!rpc.stream);
  CHECK(rpc.upstream == "grpc-auth");
  CHECK(rpc.service == "auth.Authorizer");
  CHECK(rpc.method == "Check");
  CHECK(rpc.initial_metadata.get("x-request-id") == "req-7");
  CHECK(rpc.message == "\x0a\x02id");
  CHECK(rpc.timeout_ms == 500);
  const auto& watch = host->grpcCalls()[1];
  CHECK(watch.stream);
  CHECK(watch.service == "events.Feed");
  CHECK(watch.method == "Watch");
  const uint32_t rpc_token = rpc.token, watch_token = watch.token;

  CHECK(host->respondHttpCall(http.token, {{":status", "200"}}));
  CHECK(host->respondGrpcCall(rpc_token, "\x08\x01"));
  CHECK(host->grpcMessage(watch_token, "abc"));
  CHECK(host->logs(LogLevel::Info) == Lines{"auth: 200", "check: reply", "watch: 3 bytes"});
  CHECK(stream.requestHeadersForwarded());  // onAuth resumed the request
  CHECK(host->logs(LogLevel::Warn).empty());
}

TEST_CASE("guide: a tagged counter: one stat per method and code, defined on first use") {
  auto host = makeHost();
  const uint32_t root = host->startPlugin({"guide_metrics"});
  REQUIRE(root != 0);
  CHECK(host->metrics().empty());  // define() checked nothing with the host
  for (const char* method : {"GET", "GET", "POST"}) {
    auto& stream = host->newHttpStream(root);
    CHECK(stream.sendRequestHeaders({{":method", method}, {":path", "/"}}, true) == Action::Continue);
    CHECK(stream.sendResponseHeaders({{":status", "200"}}, true) == Action::Continue);
    stream.finish();
  }
  CHECK(host->counter("method.GET.code.200.responses") == 2u);
  CHECK(host->counter("method.POST.code.200.responses") == 1u);
  CHECK(host->metrics().size() == 2);
}

TEST_CASE("guide: onQueueReady drains the queue; later notifications find it empty") {
  auto host = makeHost();
  const uint32_t root = host->startPlugin({"guide_queues"});
  REQUIRE(root != 0);
  const auto queue = host->queueId("work");
  REQUIRE(queue);
  host->holdQueueNotifications(true);
  CHECK(host->enqueue(*queue, "a"));
  CHECK(host->enqueue(*queue, "b"));
  host->holdQueueNotifications(false);  // two notifications: the first takes both items
  CHECK(host->logs(LogLevel::Info) == Lines{"item: a", "item: b"});
  CHECK(host->queueSize(*queue) == 0);
  CHECK(host->logs(LogLevel::Warn).empty());
}

// docs/testing.md, "Fault injection": the page's three lines, then what the plugin sees.
TEST_CASE("testing page: injected failures reach the plugin's error paths") {
  auto host = makeHost();
  const uint32_t callouts = host->startPlugin({"guide_callouts"});
  const uint32_t results = host->startPlugin({"guide_results"});
  REQUIRE(callouts != 0);
  REQUIRE(results != 0);
  host->setSharedData("config", "v1");
host->injectStatus("proxy_http_call", proxy_wasm::Status::InternalFailure);  // next call only
host->failAllocations(FaultSchedule::nth(2));   // the second copy into the plugin fails
host->deliverCallback(Callback::RequestHeaders, {999, 0, 1});  // a context that never existed
  CHECK(!host->failed());  // the SDK ignores a context it never created

  // The HTTP call fails (no call dispatched); the x-request-id copy is the first allocation.
  auto& call_stream = host->newHttpStream(callouts);
  CHECK(call_stream.sendRequestHeaders({{":path", "/"}, {"x-request-id", "req-7"}}, true) == Action::Continue);
  CHECK(host->httpCalls().empty());
  CHECK(host->logs(LogLevel::Warn) == Lines{"cannot call auth: InternalFailure"});
  REQUIRE(host->grpcCalls().size() == 2);  // the gRPC call and stream still go out
  CHECK(host->grpcCalls()[0].initial_metadata.get("x-request-id") == "req-7");

  // The body copy is the second: it fails, and the plugin logs it.
  auto& body_stream = host->newHttpStream(results);
  CHECK(body_stream.sendRequestHeaders({{":method", "POST"}, {":path", "/"}}) == Action::Continue);
  CHECK(body_stream.sendRequestBody("hello", true) == Action::Continue);
  CHECK(host->logs(LogLevel::Warn) ==
        Lines{"cannot call auth: InternalFailure", "cannot read the body: InvalidMemoryAccess"});
  CHECK(host->logs(LogLevel::Info) == Lines{"shared config: v1", "response code: 0"});  // later copies work
  CHECK(!host->failed());
}

TEST_CASE("guide: a compile-time property path reads response.code at the access log") {
  auto host = makeHost();
  REQUIRE(host->startPlugin({"guide_properties"}) != 0);
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/"}}, true);
  s.sendResponseHeaders({{":status", "404"}}, true);
  s.finish();
  CHECK(host->logs(LogLevel::Info) == Lines{"response.code: 404"});
}

TEST_CASE("vnext guide: a feature test at compile time (ABI v0.2.1 reads the property)") {
  auto host = makeHost();
  REQUIRE(host->startPlugin({"guide_features"}) != 0);
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/from-header"}, {":method", "GET"}}, true);
  CHECK(host->logs(LogLevel::Info) == Lines{"path: /from-header"});
  s.finish();
}
