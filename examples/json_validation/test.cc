// json_validation's documented behaviour, against the mock host (natively or in the engine).
#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

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

HeaderList jsonRequest(const char* content_type = "application/json") {
  return {{":method", "POST"}, {":path", "/items"}, {"content-type", content_type}};
}

void checkRejected(const HttpStream& s) {
  REQUIRE(s.localResponse().has_value());
  CHECK(s.localResponse()->status == 400);
  CHECK(s.localResponse()->body == "invalid payload");
  CHECK(s.localResponse()->details == "invalid_payload");
  CHECK(s.localResponse()->headers.empty());
  CHECK_FALSE(s.localResponse()->grpc_status.has_value());
  CHECK(s.forwardedRequestBody().empty());
}

// Sends `body` as one final chunk of a JSON request; returns the body callback's action.
Action sendJson(HttpStream& s, const std::string& body, const char* content_type = "application/json") {
  REQUIRE(s.sendRequestHeaders(jsonRequest(content_type)) == Action::Continue);
  return s.sendRequestBody(body, true);
}

}  // namespace

TEST_CASE("a JSON object with the required keys continues; the headers never wait") {
  auto host = started(R"({"required_keys": ["id", "name"]})");
  auto& s = host->newHttpStream();
  CHECK(s.sendRequestHeaders(jsonRequest()) == Action::Continue);
  CHECK(s.requestHeadersForwarded());

  CHECK(s.sendRequestBody(R"({"id": 1, )") == Action::Pause);
  CHECK(s.forwardedRequestBody().empty());
  CHECK(s.bufferedRequestBody() == R"({"id": 1, )");
  CHECK(s.sendRequestBody(R"("name": "x", "extra": [1]})", true) == Action::Continue);
  CHECK(s.forwardedRequestBody() == R"({"id": 1, "name": "x", "extra": [1]})");
  CHECK_FALSE(s.localResponse().has_value());
  CHECK(host->logs(LogLevel::Info).empty());
  CHECK(host->violations().empty());
}

TEST_CASE("a missing required key is rejected with 400") {
  auto host = started(R"({"required_keys": ["id", "name"]})");
  auto& s = host->newHttpStream();
  CHECK(sendJson(s, R"({"id": 1})") == Action::Pause);
  checkRejected(s);
  CHECK(host->logs(LogLevel::Info) == Logs{"invalid payload: missing required key 'name'"});
  CHECK(host->violations().empty());
}

TEST_CASE("a null value counts as present") {
  auto host = started(R"({"required_keys": ["id"]})");
  auto& s = host->newHttpStream();
  CHECK(sendJson(s, R"({"id": null})") == Action::Continue);
  CHECK_FALSE(s.localResponse().has_value());
  CHECK(s.forwardedRequestBody() == R"({"id": null})");
}

TEST_CASE("only top-level keys count, and key names are case-sensitive") {
  for (const char* body : {R"({"outer": {"id": 1}})", R"({"ID": 1})", R"({"list": ["id"]})"}) {
    CAPTURE(body);
    auto host = started(R"({"required_keys": ["id"]})");
    auto& s = host->newHttpStream();
    CHECK(sendJson(s, body) == Action::Pause);
    checkRejected(s);
    CHECK(host->logs(LogLevel::Info) == Logs{"invalid payload: missing required key 'id'"});
  }
}

TEST_CASE("an empty body is rejected") {
  SUBCASE("an empty final chunk") {
    auto host = started();
    auto& s = host->newHttpStream();
    CHECK(sendJson(s, "") == Action::Pause);
    checkRejected(s);
    CHECK(host->logs(LogLevel::Info) == Logs{"invalid payload: empty body"});
  }
  SUBCASE("no body at all: rejected from the headers phase") {
    auto host = started();
    auto& s = host->newHttpStream();
    CHECK(s.sendRequestHeaders(jsonRequest(), true) == Action::Pause);
    checkRejected(s);
    CHECK_FALSE(s.requestHeadersForwarded());
    CHECK(host->logs(LogLevel::Info) == Logs{"invalid payload: empty body"});
  }
  SUBCASE("whitespace only") {
    auto host = started();
    auto& s = host->newHttpStream();
    CHECK(sendJson(s, " \n") == Action::Pause);
    checkRejected(s);
    CHECK(host->logs(LogLevel::Info) == Logs{"invalid payload: not JSON"});
  }
}

TEST_CASE("anything but a JSON object is rejected") {
  const std::pair<const char*, const char*> cases[] = {
      {"[1, 2]", "not a JSON object"}, {R"("id")", "not a JSON object"}, {"42", "not a JSON object"},
      {"null", "not a JSON object"},   {"true", "not a JSON object"},   {"{", "not JSON"},
      {R"({"id": 1} x)", "not JSON"},  {"{'id': 1}", "not JSON"},     {"\xff", "not JSON"},
  };
  for (auto [body, reason] : cases) {
    CAPTURE(body);
    auto host = started();
    auto& s = host->newHttpStream();
    CHECK(sendJson(s, body) == Action::Pause);
    checkRejected(s);
    CHECK(host->logs(LogLevel::Info) == Logs{std::string("invalid payload: ") + reason});
  }
}

TEST_CASE("without required keys any object passes, even an empty one") {
  for (const char* config : {"", "{}", R"({"required_keys": []})", R"({"other": true})"}) {
    CAPTURE(config);
    auto host = started(config);
    auto& s = host->newHttpStream();
    CHECK(sendJson(s, " {}\n") == Action::Continue);
    CHECK(s.forwardedRequestBody() == " {}\n");
    CHECK_FALSE(s.localResponse().has_value());
  }
}

TEST_CASE("the media type matches with parameters, whitespace and any case") {
  for (const char* type : {"application/json", "APPLICATION/JSON", "Application/Json; charset=utf-8",
                           "application/json ; charset=UTF-8", "application/json;", " application/json"}) {
    CAPTURE(type);
    auto host = started();
    auto& s = host->newHttpStream();
    CHECK(sendJson(s, "[]", type) == Action::Pause);
    checkRejected(s);
  }
}

TEST_CASE("other media types are not validated and stream through") {
  for (const char* type : {"text/plain", "application/jsonx", "application/problem+json", "application/json-seq",
                           "application/x-json", "text/json", ""}) {
    CAPTURE(type);
    auto host = started(R"({"required_keys": ["id"]})");
    auto& s = host->newHttpStream();
    REQUIRE(s.sendRequestHeaders(jsonRequest(type)) == Action::Continue);
    CHECK(s.sendRequestBody("not ") == Action::Continue);
    CHECK(s.sendRequestBody("json", true) == Action::Continue);
    CHECK(s.forwardedRequestBody() == "not json");
    CHECK_FALSE(s.localResponse().has_value());
  }
  SUBCASE("no content-type, no body") {
    auto host = started(R"({"required_keys": ["id"]})");
    auto& s = host->newHttpStream();
    CHECK(s.sendRequestHeaders({{":method", "GET"}, {":path", "/"}}, true) == Action::Continue);
    CHECK_FALSE(s.localResponse().has_value());
  }
}

TEST_CASE("a body that ends with trailers is validated when they arrive") {
  SUBCASE("valid") {
    auto host = started(R"({"required_keys": ["id"]})");
    auto& s = host->newHttpStream();
    REQUIRE(s.sendRequestHeaders(jsonRequest()) == Action::Continue);
    CHECK(s.sendRequestBody(R"({"id":)") == Action::Pause);
    CHECK(s.sendRequestBody(R"( 7})") == Action::Pause);
    CHECK(s.sendRequestTrailers({{"x-trailer", "1"}}) == Action::Continue);
    CHECK(s.forwardedRequestBody() == R"({"id": 7})");
    CHECK_FALSE(s.localResponse().has_value());
  }
  SUBCASE("invalid") {
    auto host = started(R"({"required_keys": ["id"]})");
    auto& s = host->newHttpStream();
    REQUIRE(s.sendRequestHeaders(jsonRequest()) == Action::Continue);
    CHECK(s.sendRequestBody(R"({"name": 7})") == Action::Pause);
    CHECK(s.sendRequestTrailers({{"x-trailer", "1"}}) == Action::Pause);
    checkRejected(s);
    CHECK(host->logs(LogLevel::Info) == Logs{"invalid payload: missing required key 'id'"});
  }
  SUBCASE("trailers without any body") {
    auto host = started();
    auto& s = host->newHttpStream();
    REQUIRE(s.sendRequestHeaders(jsonRequest()) == Action::Continue);
    CHECK(s.sendRequestTrailers({{"x-trailer", "1"}}) == Action::Pause);
    checkRejected(s);
    CHECK(host->logs(LogLevel::Info) == Logs{"invalid payload: empty body"});
  }
}

TEST_CASE("responses are never validated") {
  auto host = started(R"({"required_keys": ["id"]})");
  auto& s = host->newHttpStream();
  REQUIRE(s.sendRequestHeaders({{":method", "GET"}, {":path", "/"}}, true) == Action::Continue);
  CHECK(s.sendResponseHeaders({{":status", "200"}, {"content-type", "application/json"}}) == Action::Continue);
  CHECK(s.sendResponseBody("[not json", true) == Action::Continue);
  CHECK(s.forwardedResponseBody() == "[not json");
  CHECK_FALSE(s.localResponse().has_value());
}

TEST_CASE("streams are validated independently") {
  auto host = started(R"({"required_keys": ["id"]})");
  auto& good = host->newHttpStream();
  auto& bad = host->newHttpStream();
  REQUIRE(good.sendRequestHeaders(jsonRequest()) == Action::Continue);
  REQUIRE(bad.sendRequestHeaders(jsonRequest()) == Action::Continue);
  CHECK(bad.sendRequestBody("{}") == Action::Pause);
  CHECK(good.sendRequestBody(R"({"id")") == Action::Pause);
  CHECK(bad.sendRequestBody("", true) == Action::Pause);
  CHECK(good.sendRequestBody(": 1}", true) == Action::Continue);
  checkRejected(bad);
  CHECK_FALSE(good.localResponse().has_value());
  CHECK(good.forwardedRequestBody() == R"({"id": 1})");
  good.finish();
  bad.finish();
  CHECK(host->violations().empty());
}

TEST_CASE("a body over Envoy's buffer limit gets Envoy's 413 before any validation") {
  HostOptions options;
  options.buffer_limit = 8;
  auto host = started("", options);
  auto& s = host->newHttpStream();
  REQUIRE(s.sendRequestHeaders(jsonRequest()) == Action::Continue);
  CHECK(s.sendRequestBody(R"({"a": 1, "b": 2})") == Action::Pause);
  REQUIRE(s.localResponse().has_value());
  CHECK(s.localResponse()->status == 413);
  CHECK(host->logs(LogLevel::Info).empty());
}

TEST_CASE("rejects invalid configuration") {
  for (const char* bad : {"{not json", "[]", R"("id")", R"({"required_keys": "id"})", R"({"required_keys": [1]})",
                          R"({"required_keys": ["id", null]})", R"({"required_keys": null})",
                          R"({"required_keys": {"id": true}})"}) {
    CAPTURE(bad);
    auto host = makeHost();
    CHECK(host->startPlugin({"", bad}) == 0);
    CHECK(host->logs(LogLevel::Error).size() == 1);
  }
}
