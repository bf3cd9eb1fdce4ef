// Pins for docs/design-notes.md that no other suite covers (each case names its section).
#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>
#include <proxy_wasm/types.h>

#include <algorithm>
#include <string>

using namespace proxy_wasm::testing;
using proxy_wasm::Action;

// "Pause, WaitForMoreData, watermarks" and "Close types, EndStream, 1xx": the SDK's actions
// are exactly the two v0.2.1 defines, with their wire values.
static_assert(static_cast<uint32_t>(Action::Continue) == 0, "CONTINUE is 0 on the wire");
static_assert(static_cast<uint32_t>(Action::Pause) == 1, "PAUSE is 1 on the wire");

TEST_CASE("design notes: a callback answers Continue or Pause, the two v0.2.1 actions") {
  auto host = makeHost();
  REQUIRE(host->startPlugin({"design_notes"}) != 0);
  auto& stream = host->newHttpStream();
  CHECK(stream.sendRequestHeaders({{":method", "GET"}, {":path", "/"}, {":authority", "a"}}) == Action::Continue);
  CHECK(static_cast<uint32_t>(stream.sendRequestBody("x", true)) <= 1);
}

TEST_CASE("design notes: log lines are bytes, with no UTF-8 check or replacement") {
  auto host = makeHost();
  REQUIRE(host->startPlugin({"design_notes"}) != 0);
  auto& stream = host->newHttpStream();
  stream.sendRequestHeaders({{":method", "GET"}, {":path", "/"}, {":authority", "example.com"}});
  bool found = false;
  for (const auto& line : host->logs())
    if (line.message == std::string("caf\xc3\xa9 \xff\xfe raw", 12)) found = line.context_id == stream.id();
  CHECK(found);
}

TEST_CASE("design notes: pseudo-headers are lower-case keys of the header map") {
  auto host = makeHost();
  REQUIRE(host->startPlugin({"design_notes"}) != 0);
  auto& stream = host->newHttpStream();
  stream.sendRequestHeaders({{":method", "POST"}, {":path", "/x"}, {":authority", "example.com"}});
  auto info = host->logs(proxy_wasm::LogLevel::Info);
  CHECK(std::count(info.begin(), info.end(), "method=POST") == 1);
  CHECK(std::count(info.begin(), info.end(), "authority=example.com") == 1);
}

TEST_CASE("design notes: module memory is borrowed for the call; the host keeps a copy") {
  auto host = makeHost();
  REQUIRE(host->startPlugin({"design_notes"}) != 0);
  auto& stream = host->newHttpStream();
  stream.sendRequestHeaders({{":method", "GET"}, {":path", "/"}, {":authority", "a"}});
  CHECK(stream.requestHeaders().get("x-borrowed") == "borrowed-value");
  CHECK(host->violations().empty());
}
