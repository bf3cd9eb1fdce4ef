// PropertyPath: the wire form of every way to build one, and its storage (paths up to
// kInlineBytes bytes live inside the object; longer ones on the heap, copied and freed
// with it: under the sanitize preset ASan sees every copy and assignment).
#include <doctest/doctest.h>
#include <proxy_wasm/proxy_wasm.h>

#include <string>
#include <string_view>

using proxy_wasm::PropertyPath;
using namespace std::string_literals;
using namespace std::string_view_literals;

TEST_CASE("a path from segments joins them with NUL bytes") {
  CHECK(PropertyPath{"request", "headers", "x-id"}.wire() == "request\0headers\0x-id"sv);
  CHECK(PropertyPath{"plugin_root_id"}.wire() == "plugin_root_id"sv);
  CHECK(PropertyPath{"a", "", "b"}.wire() == "a\0\0b"sv);  // an empty segment stays a segment
  CHECK(PropertyPath{}.wire().empty());
}

TEST_CASE("a path in wire form is kept byte for byte") {
  CHECK(PropertyPath("source\0address"sv).wire() == "source\0address"sv);
  CHECK(PropertyPath("plugin_name").wire() == "plugin_name"sv);
}

TEST_CASE("paths longer than the inline buffer are copied and assigned whole") {
  const std::string key(PropertyPath::kInlineBytes + 50, 'k');
  PropertyPath longer{"request", "headers", key};
  const std::string expected = "request\0headers\0"s + key;
  CHECK(longer.wire() == expected);
  PropertyPath at_limit{std::string(PropertyPath::kInlineBytes, 'x')};
  CHECK(at_limit.wire().size() == PropertyPath::kInlineBytes);

  PropertyPath copy = longer;
  CHECK(copy.wire() == expected);
  CHECK(copy.wire().data() != longer.wire().data());  // its own block
  PropertyPath shorter{"a", "b"};
  copy = shorter;  // long -> short
  CHECK(copy.wire() == "a\0b"sv);
  shorter = longer;  // short -> long
  CHECK(shorter.wire() == expected);
  const PropertyPath& self = shorter;
  shorter = self;  // self-assignment keeps it
  CHECK(shorter.wire() == expected);
  PropertyPath inline_copy = at_limit;
  CHECK(inline_copy.wire() == at_limit.wire());
  CHECK(inline_copy.wire().data() != at_limit.wire().data());
}

// propertyPath(): the wire form at compile time; a PropertyPath over a named one builds
// nothing (what the attribute accessors of properties.h use).
static_assert(proxy_wasm::propertyPath("request", "path").wire() == "request\0path"sv);
static_assert(proxy_wasm::propertyPath("plugin_name").wire() == "plugin_name"sv);
static_assert(proxy_wasm::propertyPath("a", "", "c").wire() == "a\0\0c"sv);
static_assert(sizeof(proxy_wasm::propertyPath("response", "code").bytes) == 13);

TEST_CASE("a PropertyPath over a static propertyPath() refers to its bytes; a temporary is copied") {
  static constexpr auto kPath = proxy_wasm::propertyPath("upstream", "address");
  const PropertyPath borrowed = kPath;
  CHECK(borrowed.wire() == "upstream\0address"sv);
  CHECK(borrowed.wire().data() == kPath.bytes);  // nothing copied
  PropertyPath copy = borrowed;
  CHECK(copy.wire().data() == kPath.bytes);  // still the static bytes
  copy = PropertyPath{"x", "y"};             // borrowed -> owned
  CHECK(copy.wire() == "x\0y"sv);
  CHECK(copy.wire().data() != kPath.bytes);
  copy = borrowed;                           // owned -> borrowed
  CHECK(copy.wire().data() == kPath.bytes);

  const PropertyPath from_temporary = proxy_wasm::propertyPath("source", "port");
  CHECK(from_temporary.wire() == "source\0port"sv);  // its own bytes: the temporary is gone
}
