// access_log's documented behaviour, against the mock host (natively or in the engine).
#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

#include <string>
#include <vector>

using namespace proxy_wasm::testing;
using proxy_wasm::Action;
using proxy_wasm::LogLevel;
using Logs = std::vector<std::string>;

namespace {

std::unique_ptr<Host> started(HostOptions options = {}) {
  auto host = makeHost(std::move(options));
  REQUIRE(host->startPlugin() != 0);
  return host;
}

}  // namespace

TEST_CASE("logs method, path and status code once the request is complete") {
  auto host = started();
  auto& s = host->newHttpStream();
  CHECK(s.sendRequestHeaders({{":method", "GET"}, {":path", "/search?q=wasm"}, {":authority", "example.com"}}, true) ==
        Action::Continue);
  CHECK(s.sendResponseHeaders({{":status", "200"}, {"content-type", "text/html"}}) == Action::Continue);
  CHECK(s.sendResponseBody("<html/>", true) == Action::Continue);
  CHECK(host->logs().empty());  // nothing before on_log

  s.finish();
  CHECK(host->logs(LogLevel::Info) == Logs{"access: GET /search?q=wasm 200"});
  REQUIRE(host->logs().size() == 1);
  CHECK(host->logs().front().context_id == s.id());
  CHECK(host->violations().empty());
}

TEST_CASE("the line is the same whichever order the host finalizes the stream in") {
  for (auto order : {Finalization::Envoy, Finalization::Spec}) {
    HostOptions options;
    options.http_finalization = order;
    auto host = started(options);
    auto& s = host->newHttpStream();
    s.sendRequestHeaders({{":method", "DELETE"}, {":path", "/items/7"}}, true);
    s.sendResponseHeaders({{":status", "204"}}, true);
    s.finish();
    CHECK(host->logs(LogLevel::Info) == Logs{"access: DELETE /items/7 204"});
  }
}

TEST_CASE("a request that got no response logs - for the code") {
  auto host = started();
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":method", "POST"}, {":path", "/upload"}});
  s.sendRequestBody("partial");
  s.finish();  // e.g. the client went away
  CHECK(host->logs(LogLevel::Info) == Logs{"access: POST /upload -"});
  CHECK(host->logs(LogLevel::Warn).empty());
}

TEST_CASE("a request that never reached the filter is still logged") {
  // Envoy's access-log hook creates the context of a stream an earlier filter ended.
  auto host = started();
  host->newHttpStream().finish();
  CHECK(host->logs(LogLevel::Info) == Logs{"access: - - -"});
}

TEST_CASE("each absent attribute is -") {
  SUBCASE("no :method") {
    auto host = started();
    auto& s = host->newHttpStream();
    s.sendRequestHeaders({{":path", "/only-path"}}, true);
    s.sendResponseHeaders({{":status", "400"}}, true);
    s.finish();
    CHECK(host->logs(LogLevel::Info) == Logs{"access: - /only-path 400"});
  }
  SUBCASE("no :path") {
    auto host = started();
    auto& s = host->newHttpStream();
    s.sendRequestHeaders({{":method", "CONNECT"}, {":authority", "db:5432"}});
    s.sendResponseHeaders({{":status", "503"}});
    s.finish();
    CHECK(host->logs(LogLevel::Info) == Logs{"access: CONNECT - 503"});
  }
  SUBCASE("nothing at all") {
    auto host = started();
    auto& s = host->newHttpStream();
    s.sendRequestHeaders({{"x-only", "header"}});
    s.finish();
    CHECK(host->logs(LogLevel::Info) == Logs{"access: - - -"});
  }
  SUBCASE("a response without a numeric :status") {
    auto host = started();
    auto& s = host->newHttpStream();
    s.sendRequestHeaders({{":method", "GET"}, {":path", "/"}});
    s.sendResponseHeaders({{"x-no-status", "1"}});
    s.finish();
    CHECK(host->logs(LogLevel::Info) == Logs{"access: GET / -"});
  }
}

TEST_CASE("present values are logged as they are, even empty") {
  auto host = started();
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":method", ""}, {":path", "/a b"}});
  s.sendResponseHeaders({{":status", "200"}});
  s.finish();
  CHECK(host->logs(LogLevel::Info) == Logs{"access:  /a b 200"});
}

TEST_CASE("a property the host cannot decode is - and its status is logged") {
  auto host = started();
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":method", "GET"}, {":path", "/"}});
  s.sendResponseHeaders({{":status", "200"}});
  s.setProperty(std::string("response\0code", 13), "200");  // 3 bytes: not an int64
  s.finish();
  CHECK(host->logs(LogLevel::Warn) == Logs{"cannot read response.code: SerializationFailure"});
  CHECK(host->logs(LogLevel::Info) == Logs{"access: GET / -"});
}

TEST_CASE("every stream logs its own line") {
  auto host = started();
  auto& a = host->newHttpStream();
  auto& b = host->newHttpStream();
  a.sendRequestHeaders({{":method", "GET"}, {":path", "/a"}}, true);
  b.sendRequestHeaders({{":method", "PUT"}, {":path", "/b"}});
  b.sendResponseHeaders({{":status", "201"}}, true);
  a.sendResponseHeaders({{":status", "404"}}, true);
  b.finish();
  a.finish();
  CHECK(host->logs(LogLevel::Info) == Logs{"access: PUT /b 201", "access: GET /a 404"});
  REQUIRE(host->logs().size() == 2);
  CHECK(host->logs()[0].context_id == b.id());
  CHECK(host->logs()[1].context_id == a.id());
  CHECK(host->violations().empty());
}

TEST_CASE("the host's log level filters the line") {
  HostOptions options;
  options.log_level = LogLevel::Warn;
  auto host = started(options);
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":method", "GET"}, {":path", "/"}}, true);
  s.finish();
  CHECK(host->logs().empty());
}
