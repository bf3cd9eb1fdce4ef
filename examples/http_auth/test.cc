// http_auth's documented behaviour, against the mock host (natively or in the engine).
#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

#include <set>
#include <string>
#include <vector>

using namespace proxy_wasm::testing;
using proxy_wasm::Action;
using proxy_wasm::LogLevel;
using Logs = std::vector<std::string>;

namespace {

std::unique_ptr<Host> started(const std::string& configuration = "", HostOptions options = {}) {
  auto host = makeHost(std::move(options));
  REQUIRE(host->startPlugin({"", configuration}) != 0);
  return host;
}

const HeaderList kRequest{{":method", "POST"}, {":path", "/orders?id=7"}, {":authority", "shop.example"},
                          {"x-auth-user", "mallory"}, {"content-type", "text/plain"}};

// Sends kRequest and returns the token of the auth call it made.
uint32_t requestAndCheck(Host& host, HttpStream& s, const HeaderList& request = kRequest) {
  REQUIRE(s.sendRequestHeaders(request) == Action::Pause);
  REQUIRE(host.pendingHttpCalls().size() == 1);
  return host.pendingHttpCalls().front();
}

void checkLocalResponse(const HttpStream& s, uint32_t status, const std::string& body, const HeaderList& headers,
                        const std::string& details) {
  REQUIRE(s.localResponse().has_value());
  CHECK(s.localResponse()->status == status);
  CHECK(s.localResponse()->body == body);
  CHECK(s.localResponse()->headers == headers);
  CHECK(s.localResponse()->details == details);
  CHECK_FALSE(s.localResponse()->grpc_status.has_value());
  CHECK_FALSE(s.requestHeadersForwarded());
}

}  // namespace

TEST_CASE("calls the auth service with exactly the default request and pauses") {
  auto host = started();
  auto& s = host->newHttpStream();
  CHECK(s.sendRequestHeaders(kRequest) == Action::Pause);

  REQUIRE(host->httpCalls().size() == 1);
  const auto& call = host->httpCalls().front();
  CHECK(call.upstream == "auth");
  CHECK(call.headers == HeaderList{{":method", "GET"},
                                   {":path", "/check"},
                                   {":authority", "auth.local"},
                                   {"x-original-path", "/orders?id=7"}});
  CHECK(call.body.empty());
  CHECK(call.trailers.empty());
  CHECK(call.timeout_ms == 1000);
  CHECK(call.root_id == host->roots().front());

  // The client's x-auth-user is gone before anything else sees the request.
  CHECK_FALSE(s.requestHeaders().has("x-auth-user"));
  CHECK(s.requestHeaders().get(":path") == "/orders?id=7");
  CHECK(s.requestPaused());
  CHECK_FALSE(s.requestHeadersForwarded());
  CHECK_FALSE(s.localResponse().has_value());
  CHECK(host->logs(LogLevel::Warn).empty());
  CHECK(host->violations().empty());
}

TEST_CASE("every client-sent x-auth-user is removed, whatever its case") {
  auto host = started();
  auto& s = host->newHttpStream();
  requestAndCheck(*host, s,
                  {{":method", "GET"}, {":path", "/"}, {"X-Auth-User", "a"}, {"x-auth-user", "b"}, {"accept", "*/*"}});
  CHECK(s.requestHeaders() == HeaderList{{":method", "GET"}, {":path", "/"}, {"accept", "*/*"}});
}

TEST_CASE("uses the configured cluster, authority and path") {
  HostOptions options;
  options.clusters = std::set<std::string>{"authz"};
  auto host = started(R"({"cluster": "authz", "authority": "authz.internal", "path": "/v1/allow"})", options);
  auto& s = host->newHttpStream();
  requestAndCheck(*host, s);
  const auto& call = host->httpCalls().front();
  CHECK(call.upstream == "authz");
  CHECK(call.headers == HeaderList{{":method", "GET"},
                                   {":path", "/v1/allow"},
                                   {":authority", "authz.internal"},
                                   {"x-original-path", "/orders?id=7"}});
}

TEST_CASE("each configuration field is optional; unknown fields are ignored") {
  auto host = started(R"({"path": "/only-path", "comment": "ignored", "timeout": 5})");
  auto& s = host->newHttpStream();
  requestAndCheck(*host, s);
  const auto& call = host->httpCalls().front();
  CHECK(call.upstream == "auth");
  CHECK(call.headers.get(":authority") == "auth.local");
  CHECK(call.headers.get(":path") == "/only-path");
  CHECK(call.timeout_ms == 1000);
}

TEST_CASE("rejects invalid configuration") {
  for (const char* bad : {"{not json", "[]", "\"auth\"", R"({"cluster": 7})", R"({"authority": null})",
                          R"({"path": ""})", R"({"cluster": ["a"]})"}) {
    CAPTURE(bad);
    auto host = makeHost();
    CHECK(host->startPlugin({"", bad}) == 0);
    CHECK(host->logs(LogLevel::Error).size() == 1);
  }
}

TEST_CASE("a request without :path is checked with an empty x-original-path") {
  auto host = started();
  auto& s = host->newHttpStream();
  requestAndCheck(*host, s, {{":method", "CONNECT"}, {":authority", "db:5432"}});
  CHECK(host->httpCalls().front().headers == HeaderList{{":method", "GET"},
                                                        {":path", "/check"},
                                                        {":authority", "auth.local"},
                                                        {"x-original-path", ""}});
  CHECK(host->logs(LogLevel::Warn).empty());
}

TEST_CASE("200 with x-user: x-auth-user is set to its first value and the request resumes") {
  auto host = started();
  auto& s = host->newHttpStream();
  const uint32_t token = requestAndCheck(*host, s);
  CHECK(host->respondHttpCall(token, {{":status", "200"}, {"x-user", "alice"}, {"x-user", "bob"}}, "ignored body"));

  CHECK(s.requestHeaders().getAll("x-auth-user") == std::vector<std::string>{"alice"});
  CHECK(s.requestHeaders().get(":path") == "/orders?id=7");
  CHECK(s.requestHeadersForwarded());
  CHECK_FALSE(s.requestPaused());
  CHECK_FALSE(s.localResponse().has_value());
  CHECK(host->pendingHttpCalls().empty());
  CHECK(host->logs(LogLevel::Info).empty());
  CHECK(host->logs(LogLevel::Warn).empty());
  CHECK(host->violations().empty());
}

TEST_CASE("200 without x-user: the request resumes without x-auth-user") {
  auto host = started();
  auto& s = host->newHttpStream();
  const uint32_t token = requestAndCheck(*host, s);
  CHECK(host->respondHttpCall(token, {{":status", "200"}}));
  CHECK_FALSE(s.requestHeaders().has("x-auth-user"));
  CHECK(s.requestHeadersForwarded());
  CHECK_FALSE(s.localResponse().has_value());
  CHECK(host->violations().empty());
}

TEST_CASE("the body that arrives during the check is held, then forwarded on resume") {
  auto host = started();
  auto& s = host->newHttpStream();
  const uint32_t token = requestAndCheck(*host, s);
  CHECK(s.sendRequestBody("part 1, ") == Action::Continue);  // held by the host: no callback
  CHECK(s.sendRequestBody("part 2", true) == Action::Continue);
  CHECK(s.forwardedRequestBody().empty());
  CHECK(host->respondHttpCall(token, {{":status", "200"}, {"x-user", "alice"}}));
  CHECK(s.forwardedRequestBody() == "part 1, part 2");
  CHECK(s.requestComplete());
}

TEST_CASE("any status but 200 denies with 403") {
  for (const char* status : {"201", "204", "302", "401", "403", "404", "500", "503"}) {
    CAPTURE(status);
    auto host = started();
    auto& s = host->newHttpStream();
    const uint32_t token = requestAndCheck(*host, s);
    CHECK(host->respondHttpCall(token, {{":status", status}, {"x-user", "alice"}}));
    checkLocalResponse(s, 403, "access forbidden", {{"x-auth", "denied"}}, "auth_denied");
    CHECK_FALSE(s.requestHeaders().has("x-auth-user"));
    CHECK(host->logs(LogLevel::Info) == Logs{std::string("access denied: auth service answered ") + status});
    REQUIRE(host->logs().size() == 1);
    CHECK(host->logs()[0].context_id == s.id());  // the response runs as the stream that called
    CHECK(host->violations().empty());
  }
}

TEST_CASE("an answer without a numeric :status is a denial") {
  for (const HeaderList& answer : {HeaderList{{"x-user", "alice"}}, HeaderList{{":status", "2OO"}}}) {
    auto host = started();
    auto& s = host->newHttpStream();
    const uint32_t token = requestAndCheck(*host, s);
    CHECK(host->respondHttpCall(token, answer));
    checkLocalResponse(s, 403, "access forbidden", {{"x-auth", "denied"}}, "auth_denied");
    CHECK(host->logs(LogLevel::Info) == Logs{"access denied: auth service answered 0"});
  }
}

TEST_CASE("a failed call (reset, timeout) answers 503") {
  auto host = started();
  auto& s = host->newHttpStream();
  const uint32_t token = requestAndCheck(*host, s);
  CHECK(host->failHttpCall(token));
  checkLocalResponse(s, 503, "auth service unavailable", {}, "auth_unavailable");
  CHECK(host->logs(LogLevel::Warn) == Logs{"auth service call failed"});
  CHECK(host->violations().empty());
}

TEST_CASE("a call that cannot be dispatched answers 503 from the headers phase") {
  HostOptions options;
  options.clusters = std::set<std::string>{"backend"};  // no "auth" cluster
  auto host = started("", options);
  auto& s = host->newHttpStream();
  CHECK(s.sendRequestHeaders(kRequest) == Action::Pause);
  CHECK(host->httpCalls().empty());
  checkLocalResponse(s, 503, "auth service unavailable", {}, "auth_unavailable");
  CHECK(host->logs(LogLevel::Warn) == Logs{"cannot call auth cluster 'auth': BadArgument"});
  CHECK(host->violations().empty());
}

TEST_CASE("a response arriving after the stream ended is ignored") {
  SUBCASE("success") {
    auto host = started();
    auto& s = host->newHttpStream();
    const uint32_t token = requestAndCheck(*host, s);
    s.finish();
    CHECK(host->respondHttpCall(token, {{":status", "200"}, {"x-user", "alice"}}));
    CHECK_FALSE(s.localResponse().has_value());
    CHECK_FALSE(s.requestHeadersForwarded());
    CHECK(host->logs(LogLevel::Info).empty());
    CHECK(host->logs(LogLevel::Warn).empty());
    CHECK(host->logs(LogLevel::Error).empty());
    CHECK(host->violations().empty());
  }
  SUBCASE("denial") {
    auto host = started();
    auto& s = host->newHttpStream();
    const uint32_t token = requestAndCheck(*host, s);
    s.finish();
    CHECK(host->respondHttpCall(token, {{":status", "403"}}));
    CHECK_FALSE(s.localResponse().has_value());
    CHECK(host->logs(LogLevel::Info).empty());
    CHECK(host->violations().empty());
  }
  SUBCASE("failure") {
    auto host = started();
    auto& s = host->newHttpStream();
    const uint32_t token = requestAndCheck(*host, s);
    s.finish();
    CHECK(host->failHttpCall(token));
    CHECK_FALSE(s.localResponse().has_value());
    CHECK(host->logs(LogLevel::Warn).empty());
    CHECK(host->violations().empty());
  }
}

TEST_CASE("concurrent streams each get their own answer") {
  auto host = started();
  auto& a = host->newHttpStream();
  auto& b = host->newHttpStream();
  requestAndCheck(*host, a, {{":method", "GET"}, {":path", "/a"}});
  REQUIRE(b.sendRequestHeaders({{":method", "GET"}, {":path", "/b"}}) == Action::Pause);
  REQUIRE(host->httpCalls().size() == 2);
  CHECK(host->httpCalls()[0].headers.get("x-original-path") == "/a");
  CHECK(host->httpCalls()[1].headers.get("x-original-path") == "/b");

  // Answered in reverse order.
  CHECK(host->respondHttpCall(host->httpCalls()[1].token, {{":status", "200"}, {"x-user", "bob"}}));
  CHECK(host->respondHttpCall(host->httpCalls()[0].token, {{":status", "401"}}));
  CHECK(b.requestHeaders().get("x-auth-user") == "bob");
  CHECK(b.requestHeadersForwarded());
  CHECK_FALSE(b.localResponse().has_value());
  checkLocalResponse(a, 403, "access forbidden", {{"x-auth", "denied"}}, "auth_denied");
  a.finish();
  b.finish();
  CHECK(host->violations().empty());
}
