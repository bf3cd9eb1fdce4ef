// http_body's documented behaviour, against the mock host (natively or in the engine).
#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

#include <string>

using namespace proxy_wasm::testing;
using proxy_wasm::Action;
using proxy_wasm::LogLevel;

namespace {

std::unique_ptr<Host> started(HostOptions options = {}) {
  auto host = makeHost(std::move(options));
  REQUIRE(host->startPlugin() != 0);
  return host;
}

HeaderList requestWith(const char* content_type) {
  return {{":method", "POST"}, {":path", "/echo"}, {"content-type", content_type}, {"content-length", "11"}};
}

// A stream whose request went through untouched, ready for the response.
HttpStream& withPlainRequest(Host& host) {
  auto& s = host.newHttpStream();
  REQUIRE(s.sendRequestHeaders({{":method", "GET"}, {":path", "/"}}, true) == Action::Continue);
  return s;
}

}  // namespace

TEST_CASE("text/plain request: content-length removed, body buffered, then upper-cased") {
  auto host = started();
  auto& s = host->newHttpStream();
  CHECK(s.sendRequestHeaders(requestWith("text/plain")) == Action::Continue);
  CHECK(s.requestHeadersForwarded());
  CHECK(s.requestHeaders() == HeaderList{{":method", "POST"}, {":path", "/echo"}, {"content-type", "text/plain"}});

  CHECK(s.sendRequestBody("hello ") == Action::Pause);
  CHECK(s.forwardedRequestBody().empty());
  CHECK(s.bufferedRequestBody() == "hello ");
  CHECK(s.sendRequestBody("wor") == Action::Pause);
  CHECK(s.bufferedRequestBody() == "hello wor");
  CHECK(s.sendRequestBody("ld!", true) == Action::Continue);
  CHECK(s.forwardedRequestBody() == "HELLO WORLD!");
  CHECK(s.bufferedRequestBody().empty());
  CHECK(host->logs(LogLevel::Warn).empty());
  CHECK(host->violations().empty());
}

TEST_CASE("a single-chunk body is rewritten at once") {
  auto host = started();
  auto& s = host->newHttpStream();
  s.sendRequestHeaders(requestWith("text/plain"));
  CHECK(s.sendRequestBody("mixed Case 123", true) == Action::Continue);
  CHECK(s.forwardedRequestBody() == "MIXED CASE 123");
}

TEST_CASE("the content type matches case-insensitively, parameters included") {
  for (const char* type : {"text/plain", "TEXT/PLAIN", "Text/Plain; charset=utf-8", "text/plain;format=flowed",
                           "text/plainest"}) {
    CAPTURE(type);
    auto host = started();
    auto& s = host->newHttpStream();
    s.sendRequestHeaders(requestWith(type));
    CHECK_FALSE(s.requestHeaders().has("content-length"));
    CHECK(s.sendRequestBody("abc", true) == Action::Continue);
    CHECK(s.forwardedRequestBody() == "ABC");
  }
}

TEST_CASE("other requests keep content-length and stream their body unchanged") {
  for (const char* type : {"application/json", "text/html", "text/plai", " text/plain", "application/text/plain"}) {
    CAPTURE(type);
    auto host = started();
    auto& s = host->newHttpStream();
    s.sendRequestHeaders(requestWith(type));
    CHECK(s.requestHeaders().get("content-length") == "11");
    CHECK(s.sendRequestBody("hello ") == Action::Continue);
    CHECK(s.forwardedRequestBody() == "hello ");
    CHECK(s.sendRequestBody("world", true) == Action::Continue);
    CHECK(s.forwardedRequestBody() == "hello world");
  }
  SUBCASE("no content-type at all") {
    auto host = started();
    auto& s = host->newHttpStream();
    s.sendRequestHeaders({{":method", "POST"}, {":path", "/"}, {"content-length", "2"}});
    CHECK(s.requestHeaders().get("content-length") == "2");
    CHECK(s.sendRequestBody("ab") == Action::Continue);
    CHECK(s.forwardedRequestBody() == "ab");
  }
}

TEST_CASE("only ASCII letters change case") {
  auto host = started();
  auto& s = host->newHttpStream();
  s.sendRequestHeaders(requestWith("text/plain; charset=utf-8"));
  using namespace std::string_literals;
  CHECK(s.sendRequestBody("gr\xc3\xbc\xc3\x9f" "e \xff\x00z"s, true) == Action::Continue);
  CHECK(s.forwardedRequestBody() == "GR\xc3\xbc\xc3\x9f" "E \xff\x00Z"s);
}

TEST_CASE("an empty final chunk completes the rewrite") {
  auto host = started();
  auto& s = host->newHttpStream();
  s.sendRequestHeaders(requestWith("text/plain"));
  CHECK(s.sendRequestBody("abc") == Action::Pause);
  CHECK(s.sendRequestBody("", true) == Action::Continue);
  CHECK(s.forwardedRequestBody() == "ABC");
}

TEST_CASE("a request body that ends with trailers is forwarded unchanged") {
  auto host = started();
  auto& s = host->newHttpStream();
  s.sendRequestHeaders(requestWith("text/plain"));
  CHECK(s.sendRequestBody("keep ") == Action::Pause);
  CHECK(s.sendRequestBody("me") == Action::Pause);
  CHECK(s.forwardedRequestBody().empty());
  CHECK(s.sendRequestTrailers({{"x-checksum", "1"}}) == Action::Continue);
  CHECK(s.forwardedRequestBody() == "keep me");
  CHECK(s.requestTrailers() == HeaderList{{"x-checksum", "1"}});
  CHECK(s.requestComplete());
  CHECK(host->violations().empty());
}

TEST_CASE("response: content-length removed for any content type, foo replaced by bar") {
  for (const char* type : {"text/plain", "application/json", "image/png"}) {
    CAPTURE(type);
    auto host = started();
    auto& s = withPlainRequest(*host);
    CHECK(s.sendResponseHeaders({{":status", "200"}, {"content-type", type}, {"content-length", "17"}}) ==
          Action::Continue);
    CHECK(s.responseHeadersForwarded());
    CHECK(s.responseHeaders() == HeaderList{{":status", "200"}, {"content-type", type}});
    CHECK(s.sendResponseBody("foo food ") == Action::Pause);
    CHECK(s.forwardedResponseBody().empty());
    CHECK(s.bufferedResponseBody() == "foo food ");
    CHECK(s.sendResponseBody("seafoo", true) == Action::Continue);
    CHECK(s.forwardedResponseBody() == "bar bard seabar");
  }
}

TEST_CASE("response without content-type or content-length") {
  auto host = started();
  auto& s = withPlainRequest(*host);
  CHECK(s.sendResponseHeaders({{":status", "200"}}) == Action::Continue);
  CHECK(s.responseHeaders() == HeaderList{{":status", "200"}});
  CHECK(s.sendResponseBody("foo", true) == Action::Continue);
  CHECK(s.forwardedResponseBody() == "bar");
}

TEST_CASE("foo split across chunks is still replaced (the whole body is buffered)") {
  auto host = started();
  auto& s = withPlainRequest(*host);
  s.sendResponseHeaders({{":status", "200"}});
  CHECK(s.sendResponseBody("xf") == Action::Pause);
  CHECK(s.sendResponseBody("o") == Action::Pause);
  CHECK(s.sendResponseBody("oy", true) == Action::Continue);
  CHECK(s.forwardedResponseBody() == "xbary");
}

TEST_CASE("replacement is left to right, non-overlapping and case-sensitive") {
  const std::pair<const char*, const char*> cases[] = {
      {"foofoo", "barbar"}, {"fooo", "baro"}, {"ffoo", "fbar"}, {"fofoo", "fobar"},
      {"FOO Foo fOo", "FOO Foo fOo"}, {"", ""}, {"no match", "no match"}, {"foobarfoo", "barbarbar"},
  };
  for (auto [in, out] : cases) {
    CAPTURE(in);
    auto host = started();
    auto& s = withPlainRequest(*host);
    s.sendResponseHeaders({{":status", "200"}});
    CHECK(s.sendResponseBody(in, true) == Action::Continue);
    CHECK(s.forwardedResponseBody() == out);
  }
}

TEST_CASE("a response body that ends with trailers is forwarded unchanged") {
  auto host = started();
  auto& s = withPlainRequest(*host);
  s.sendResponseHeaders({{":status", "200"}, {"content-length", "6"}});
  CHECK_FALSE(s.responseHeaders().has("content-length"));
  CHECK(s.sendResponseBody("foo") == Action::Pause);
  CHECK(s.sendResponseBody("foo") == Action::Pause);
  CHECK(s.sendResponseTrailers({{"grpc-status", "0"}}) == Action::Continue);
  CHECK(s.forwardedResponseBody() == "foofoo");
  CHECK(s.responseTrailers() == HeaderList{{"grpc-status", "0"}});
}

TEST_CASE("a response without a body only loses content-length") {
  auto host = started();
  auto& s = withPlainRequest(*host);
  CHECK(s.sendResponseHeaders({{":status", "200"}, {"content-length", "42"}}, true) == Action::Continue);
  CHECK(s.responseHeaders() == HeaderList{{":status", "200"}});
  CHECK(s.responseComplete());
}

TEST_CASE("request and response are rewritten independently on one stream") {
  auto host = started();
  auto& s = host->newHttpStream();
  s.sendRequestHeaders(requestWith("text/plain"));
  CHECK(s.sendRequestBody("foo") == Action::Pause);
  CHECK(s.sendRequestBody(" req", true) == Action::Continue);
  s.sendResponseHeaders({{":status", "200"}, {"content-type", "text/plain"}});
  CHECK(s.sendResponseBody("foo resp", true) == Action::Continue);
  CHECK(s.forwardedRequestBody() == "FOO REQ");
  CHECK(s.forwardedResponseBody() == "bar resp");
  s.finish();
  CHECK(host->violations().empty());
}

TEST_CASE("a request body over Envoy's buffer limit gets Envoy's 413, not a rewrite") {
  HostOptions options;
  options.buffer_limit = 8;
  auto host = started(options);
  auto& s = host->newHttpStream();
  s.sendRequestHeaders(requestWith("text/plain"));
  CHECK(s.sendRequestBody("12345") == Action::Pause);
  CHECK(s.sendRequestBody("6789") == Action::Pause);
  REQUIRE(s.localResponse().has_value());
  CHECK(s.localResponse()->status == 413);
  CHECK(s.forwardedRequestBody().empty());
}
