// The pairs (header map) codec: the SDK's parser/serializer against the host model's, and
// against malformed input a host might send.
#include <doctest/doctest.h>
#include <proxy_wasm/host/host.h>
#include <proxy_wasm/pairs.h>

#include <string>
#include <vector>

using proxy_wasm::PairsView;
using proxy_wasm::serializePairs;

namespace {
std::vector<std::pair<std::string, std::string>> collect(const PairsView& view) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto [k, v] : view) out.emplace_back(std::string(k), std::string(v));
  return out;
}
std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(char(c));
  return s;
}
}  // namespace

TEST_CASE("serializes the spec's example exactly") {
  // {":method": "GET"} => 01000000 07000000 03000000 ":method\0" "GET\0"
  const std::string expected = bytes({1, 0, 0, 0, 7, 0, 0, 0, 3, 0, 0, 0}) + std::string(":method\0GET\0", 12);
  CHECK(serializePairs({{":method", "GET"}}) == expected);
}

TEST_CASE("round-trips through the host model's codec") {
  const std::string binary("v\0\xff", 3);
  const std::string wire = serializePairs({{"a", "1"}, {"", ""}, {"a", binary}, {"long-key", std::string(300, 'x')}});
  CHECK(wire.size() == 4 + (10 + 1 + 1) + 10 + (10 + 1 + 3) + (10 + 8 + 300));
  auto view = PairsView::parse(wire);
  REQUIRE(view);
  CHECK(view->size() == 4);
  auto pairs = collect(*view);
  CHECK(pairs[2].second == binary);
  CHECK(pairs[3].second.size() == 300);
  // The host model parses what the SDK writes, and the SDK parses what the host writes.
  auto host_side = proxy_wasm::host::HeaderList::parse(wire);
  CHECK(host_side.size() == 4);
  CHECK(host_side.entries()[2].second == binary);
  const std::string reserialized = host_side.serialize();
  auto back = PairsView::parse(reserialized);
  REQUIRE(back);
  CHECK(collect(*back) == pairs);
}

TEST_CASE("accepts every empty-map form a host may send") {
  for (const std::string& empty : {std::string(), bytes({0}), bytes({0, 0}), bytes({0, 0, 0}), bytes({0, 0, 0, 0})}) {
    CAPTURE(empty.size());
    auto view = PairsView::parse(empty);
    REQUIRE(view);
    CHECK(view->empty());
    CHECK(view->begin() == view->end());
  }
}

TEST_CASE("finds the first value of a key") {
  const std::string wire = serializePairs({{"k", "1"}, {"k", "2"}, {"x", ""}});
  auto view = PairsView::parse(wire);
  REQUIRE(view);
  CHECK(view->find("k") == "1");
  CHECK(view->find("x") == "");
  CHECK_FALSE(view->find("missing"));
}

TEST_CASE("rejects malformed maps instead of reading out of bounds") {
  const std::string good = serializePairs({{"key", "value"}});
  SUBCASE("count larger than the buffer") {
    std::string bad = good;
    bad[0] = 2;
    CHECK_FALSE(PairsView::parse(bad));
  }
  SUBCASE("huge count") {
    CHECK_FALSE(PairsView::parse(bytes({0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0})));
  }
  SUBCASE("length past the end") {
    std::string bad = good;
    bad[4] = 100;
    CHECK_FALSE(PairsView::parse(bad));
  }
  SUBCASE("huge lengths that would overflow 32-bit arithmetic") {
    std::string bad = good;
    bad[4] = bad[5] = bad[6] = bad[7] = char(0xff);
    bad[8] = bad[9] = bad[10] = bad[11] = char(0xff);
    CHECK_FALSE(PairsView::parse(bad));
  }
  SUBCASE("missing NUL terminator") {
    std::string bad = good;
    bad[4 + 8 + 3] = 'X';
    CHECK_FALSE(PairsView::parse(bad));
  }
  SUBCASE("trailing bytes") {
    CHECK_FALSE(PairsView::parse(good + "!"));
  }
  SUBCASE("truncated") {
    for (size_t n = 4; n < good.size(); ++n) {
      CAPTURE(n);
      CHECK_FALSE(PairsView::parse(good.substr(0, n)));
    }
  }
}

TEST_CASE("the host model follows Envoy: malformed input parses as an empty map") {
  const std::string good = serializePairs({{"key", "value"}});
  CHECK(proxy_wasm::host::HeaderList::parse(good).size() == 1);
  CHECK(proxy_wasm::host::HeaderList::parse(good + "x").empty());
  CHECK(proxy_wasm::host::HeaderList::parse(good.substr(0, good.size() - 1)).empty());
}
