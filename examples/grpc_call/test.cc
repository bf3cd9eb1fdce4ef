// grpc_call's documented behaviour, against the mock host (natively or in the engine).
#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

#include <set>
#include <string>
#include <vector>

using namespace proxy_wasm::testing;
using proxy_wasm::Action;
using proxy_wasm::GrpcStatus;
using proxy_wasm::LogLevel;
using Logs = std::vector<std::string>;

namespace {

std::unique_ptr<Host> started(HostOptions options = {}) {
  auto host = makeHost(std::move(options));
  REQUIRE(host->startPlugin() != 0);
  return host;
}

const HeaderList kRequest{{":method", "GET"}, {":path", "/admin/users?page=2"}, {":authority", "app"}};

// Sends the request headers and returns the token of the check they started.
uint32_t requestAndCheck(Host& host, HttpStream& s, const HeaderList& request = kRequest) {
  REQUIRE(s.sendRequestHeaders(request) == Action::Pause);
  REQUIRE(host.grpcCalls().size() == 1);
  return host.grpcCalls().back().token;
}

void checkUnavailable(const HttpStream& s) {
  REQUIRE(s.localResponse().has_value());
  CHECK(s.localResponse()->status == 503);
  CHECK(s.localResponse()->body == "auth service unavailable");
  CHECK(s.localResponse()->details == "auth_unavailable");
  CHECK(s.localResponse()->headers.empty());
  CHECK_FALSE(s.localResponse()->grpc_status.has_value());
  CHECK_FALSE(s.requestHeadersForwarded());
}

void checkDenied(const HttpStream& s) {
  REQUIRE(s.localResponse().has_value());
  CHECK(s.localResponse()->status == 403);
  CHECK(s.localResponse()->body == "access denied");
  CHECK(s.localResponse()->details == "auth_denied");
  CHECK(s.localResponse()->headers.empty());
  CHECK(s.localResponse()->grpc_status == 7u);  // PERMISSION_DENIED
  CHECK_FALSE(s.requestHeadersForwarded());
}

}  // namespace

TEST_CASE("makes one unary call to grpc-auth auth.Authorizer/Check with the :path and pauses") {
  auto host = started();
  auto& s = host->newHttpStream();
  CHECK(s.sendRequestHeaders(kRequest) == Action::Pause);

  REQUIRE(host->grpcCalls().size() == 1);
  const auto& call = host->grpcCalls().front();
  CHECK_FALSE(call.stream);
  CHECK(call.upstream == "grpc-auth");
  CHECK(call.service == "auth.Authorizer");
  CHECK(call.method == "Check");
  CHECK(call.message == "/admin/users?page=2");
  CHECK(call.initial_metadata.empty());
  CHECK(call.timeout_ms == 1000);
  CHECK(call.root_id == host->roots().front());
  CHECK(host->httpCalls().empty());

  CHECK(s.requestPaused());
  CHECK_FALSE(s.requestHeadersForwarded());
  CHECK_FALSE(s.localResponse().has_value());
  CHECK(host->logs(LogLevel::Warn).empty());
  CHECK(host->violations().empty());
}

TEST_CASE("reply allow: the request resumes with its held body") {
  auto host = started();
  auto& s = host->newHttpStream();
  const uint32_t token = requestAndCheck(*host, s, {{":method", "POST"}, {":path", "/orders"}});
  CHECK(s.sendRequestBody("order", true) == Action::Continue);  // held by the host
  CHECK(s.forwardedRequestBody().empty());

  CHECK(host->respondGrpcCall(token, "allow"));
  CHECK(s.requestHeadersForwarded());
  CHECK_FALSE(s.requestPaused());
  CHECK(s.forwardedRequestBody() == "order");
  CHECK_FALSE(s.localResponse().has_value());
  CHECK(s.requestHeaders() == HeaderList{{":method", "POST"}, {":path", "/orders"}});
  CHECK(host->logs(LogLevel::Info).empty());
  CHECK(host->logs(LogLevel::Warn).empty());
  CHECK(host->violations().empty());
}

TEST_CASE("any other reply denies with 403 and gRPC status PERMISSION_DENIED") {
  using namespace std::string_literals;
  for (const std::string& reply : {"deny"s, ""s, "ALLOW"s, "allow\n"s, " allow"s, "allowed"s, "allow\0"s}) {
    CAPTURE(reply);
    auto host = started();
    auto& s = host->newHttpStream();
    const uint32_t token = requestAndCheck(*host, s);
    CHECK(host->respondGrpcCall(token, reply));
    checkDenied(s);
    CHECK(host->logs(LogLevel::Info) == Logs{"access denied by the auth service"});
    REQUIRE(host->logs().size() == 1);
    CHECK(host->logs()[0].context_id == s.id());  // the outcome runs as the stream that called
    CHECK(host->violations().empty());
  }
}

TEST_CASE("a close with a non-OK status answers 503") {
  const std::pair<GrpcStatus, const char*> cases[] = {
      {GrpcStatus::Unavailable, "no healthy upstream"},
      {GrpcStatus::DeadlineExceeded, "timeout"},
      {GrpcStatus::PermissionDenied, "not for you"},
      {GrpcStatus::Unauthenticated, ""},
      {GrpcStatus::Internal, "boom"},
  };
  for (auto [status, message] : cases) {
    CAPTURE(static_cast<uint32_t>(status));
    auto host = started();
    auto& s = host->newHttpStream();
    const uint32_t token = requestAndCheck(*host, s);
    CHECK(host->grpcClose(token, status, message));
    checkUnavailable(s);
    CHECK(host->logs(LogLevel::Warn) == Logs{"auth call failed: gRPC status " +
                                             std::to_string(static_cast<uint32_t>(status)) + " '" + message + "'"});
    CHECK(host->violations().empty());
  }
}

TEST_CASE("a close with status OK but no reply answers 503") {
  auto host = started();
  auto& s = host->newHttpStream();
  const uint32_t token = requestAndCheck(*host, s);
  CHECK(host->grpcClose(token, GrpcStatus::Ok));
  checkUnavailable(s);
  CHECK(host->logs(LogLevel::Warn) == Logs{"auth call failed: gRPC status 0 ''"});
  CHECK(host->violations().empty());
}

TEST_CASE("a call that cannot be dispatched answers 503 from the headers phase") {
  HostOptions options;
  options.clusters = std::set<std::string>{"backend"};  // no grpc-auth cluster
  auto host = started(options);
  auto& s = host->newHttpStream();
  CHECK(s.sendRequestHeaders(kRequest) == Action::Pause);
  CHECK(host->grpcCalls().empty());
  checkUnavailable(s);
  CHECK(host->logs(LogLevel::Warn) ==
        Logs{"cannot call auth.Authorizer/Check on cluster 'grpc-auth': ParseFailure"});
  CHECK(host->violations().empty());
}

TEST_CASE("a request without :path sends an empty message") {
  auto host = started();
  auto& s = host->newHttpStream();
  const uint32_t token = requestAndCheck(*host, s, {{":method", "CONNECT"}, {":authority", "db:5432"}});
  CHECK(host->grpcCalls().front().message.empty());
  CHECK(host->logs(LogLevel::Warn).empty());
  CHECK(host->respondGrpcCall(token, "allow"));
  CHECK(s.requestHeadersForwarded());
}

TEST_CASE("a stream that ends before the outcome cancels its call: nothing reaches it") {
  // Envoy cancels the gRPC calls of a context it deletes; the SDK does it for the plugin.
  auto host = started();
  auto& s = host->newHttpStream();
  const uint32_t token = requestAndCheck(*host, s);
  s.finish();
  REQUIRE(host->grpcCall(token) != nullptr);
  CHECK(host->grpcCall(token)->cancelled);
  CHECK_FALSE(host->grpcCall(token)->local_closed);  // a unary call is cancelled, never closed
  CHECK_FALSE(host->respondGrpcCall(token, "allow"));
  CHECK_FALSE(host->respondGrpcCall(token, "deny"));
  CHECK_FALSE(host->grpcClose(token, GrpcStatus::Unavailable, "gone"));
  CHECK_FALSE(s.requestHeadersForwarded());
  CHECK_FALSE(s.localResponse().has_value());
  CHECK(host->logs(LogLevel::Info).empty());
  CHECK(host->logs(LogLevel::Warn).empty());
  CHECK(host->logs(LogLevel::Error).empty());
  CHECK(host->violations().empty());
}

TEST_CASE("a call that got its outcome is over: the stream's end cancels nothing") {
  auto host = started();
  auto& s = host->newHttpStream();
  const uint32_t token = requestAndCheck(*host, s);
  CHECK(host->respondGrpcCall(token, "allow"));
  s.finish();
  CHECK_FALSE(host->grpcCall(token)->cancelled);
  CHECK_FALSE(host->grpcCall(token)->local_closed);
  CHECK(host->violations().empty());
}

TEST_CASE("concurrent streams each get their own outcome") {
  auto host = started();
  auto& a = host->newHttpStream();
  auto& b = host->newHttpStream();
  auto& c = host->newHttpStream();
  REQUIRE(a.sendRequestHeaders({{":method", "GET"}, {":path", "/a"}}) == Action::Pause);
  REQUIRE(b.sendRequestHeaders({{":method", "GET"}, {":path", "/b"}}) == Action::Pause);
  REQUIRE(c.sendRequestHeaders({{":method", "GET"}, {":path", "/c"}}) == Action::Pause);
  REQUIRE(host->grpcCalls().size() == 3);
  CHECK(host->grpcCalls()[0].message == "/a");
  CHECK(host->grpcCalls()[1].message == "/b");
  CHECK(host->grpcCalls()[2].message == "/c");

  CHECK(host->grpcClose(host->grpcCalls()[2].token, GrpcStatus::Unavailable, "down"));
  CHECK(host->respondGrpcCall(host->grpcCalls()[1].token, "allow"));
  CHECK(host->respondGrpcCall(host->grpcCalls()[0].token, "nope"));
  checkDenied(a);
  CHECK(b.requestHeadersForwarded());
  CHECK_FALSE(b.localResponse().has_value());
  checkUnavailable(c);
  a.finish();
  b.finish();
  c.finish();
  CHECK(host->violations().empty());
}
