#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

using namespace proxy_wasm::testing;
using proxy_wasm::Action;

TEST_CASE("cookbook: bearer auth asks the auth cluster, then resumes or refuses") {
  auto host = makeHost();
  REQUIRE(host->startPlugin({"bearer_auth"}) != 0);

  auto& missing = host->newHttpStream();
  CHECK(missing.sendRequestHeaders({{":path", "/"}}) == Action::Pause);
  REQUIRE(missing.localResponse());
  CHECK(missing.localResponse()->status == 401);
  CHECK(host->httpCalls().empty());
  missing.finish();

  auto& good = host->newHttpStream();
  CHECK(good.sendRequestHeaders({{":path", "/"}, {"authorization", "Bearer abc"}}) == Action::Pause);
  REQUIRE(host->httpCalls().size() == 1);
  CHECK(host->httpCalls()[0].upstream == "auth");
  CHECK(host->httpCalls()[0].headers.get("authorization") == "Bearer abc");
  host->respondHttpCall(host->httpCalls()[0].token, {{":status", "200"}});
  CHECK(!good.requestPaused());
  CHECK(!good.localResponse());
  good.finish();

  auto& bad = host->newHttpStream();
  bad.sendRequestHeaders({{":path", "/"}, {"authorization", "Bearer nope"}});
  host->respondHttpCall(host->httpCalls().back().token, {{":status", "401"}});
  REQUIRE(bad.localResponse());
  CHECK(bad.localResponse()->status == 403);
  bad.finish();

  auto& down = host->newHttpStream();
  down.sendRequestHeaders({{":path", "/"}, {"authorization", "Bearer abc"}});
  host->failHttpCall(host->httpCalls().back().token);
  REQUIRE(down.localResponse());
  CHECK(down.localResponse()->status == 503);
}
