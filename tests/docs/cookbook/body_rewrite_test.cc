#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

using namespace proxy_wasm::testing;
using proxy_wasm::Action;

TEST_CASE("cookbook: body rewriting buffers the response and masks every 'secret'") {
  auto host = makeHost();
  REQUIRE(host->startPlugin({"body_rewrite"}) != 0);
  auto& stream = host->newHttpStream();
  stream.sendRequestHeaders({{":path", "/"}}, true);
  stream.sendResponseHeaders({{":status", "200"}, {"content-length", "30"}});
  CHECK(!stream.responseHeaders().has("content-length"));
  CHECK(stream.sendResponseBody("my secret is ", false) == Action::Pause);
  CHECK(stream.forwardedResponseBody().empty());  // held while buffering
  CHECK(stream.sendResponseBody("a secret", true) == Action::Continue);
  CHECK(stream.forwardedResponseBody() == "my ****** is a ******");
}
