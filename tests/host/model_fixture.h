// The native fixture of the host-model suites: the test plugin (tests/sdk/test_plugin.h)
// linked natively, so test code runs inside real callbacks and calls the raw ABI
// (include/proxy_wasm/abi.h, implemented natively by host/src/native_guest.cc) to check
// what a real host returns.
#pragma once

#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "../sdk/test_plugin.h"
#include "statuses.h"

using namespace proxy_wasm::testing;
using proxy_wasm::Action;
using proxy_wasm::GrpcStatus;
using proxy_wasm::LogLevel;
using proxy_wasm::PeerType;
using proxy_wasm::Status;

namespace {

constexpr uint32_t kReqHeaders = 0, kReqTrailers = 1, kRespHeaders = 2, kRespTrailers = 3;

// Bytes the host allocated in the plugin (malloc) and handed over: freed here.
struct Owned {
  char* p = nullptr;
  size_t n = 0;
  Owned() = default;
  Owned(const Owned&) = delete;
  ~Owned() { std::free(p); }
  std::string str() const { return p ? std::string(p, n) : std::string(); }
};

uint32_t mapGet(uint32_t map, std::string_view key, std::string* out = nullptr) {
  Owned o;
  const uint32_t r = proxy_get_header_map_value(map, key.data(), key.size(), &o.p, &o.n);
  if (out) *out = o.str();
  return r;
}
uint32_t mapPairs(uint32_t map, std::string* out) {
  Owned o;
  const uint32_t r = proxy_get_header_map_pairs(map, &o.p, &o.n);
  *out = o.str();
  return r;
}
uint32_t mapAdd(uint32_t map, std::string_view k, std::string_view v) {
  return proxy_add_header_map_value(map, k.data(), k.size(), v.data(), v.size());
}
uint32_t mapReplace(uint32_t map, std::string_view k, std::string_view v) {
  return proxy_replace_header_map_value(map, k.data(), k.size(), v.data(), v.size());
}
uint32_t mapRemove(uint32_t map, std::string_view k) { return proxy_remove_header_map_value(map, k.data(), k.size()); }
uint32_t mapSet(uint32_t map, const HeaderList& h) {
  const std::string b = h.serialize();
  return proxy_set_header_map_pairs(map, b.data(), b.size());
}
uint32_t mapSize(uint32_t map, size_t* out = nullptr) {
  size_t n = 0;
  const uint32_t r = proxy_get_header_map_size(map, &n);
  if (out) *out = n;
  return r;
}
uint32_t bufGet(uint32_t type, size_t start, size_t max, std::string* out = nullptr) {
  Owned o;
  const uint32_t r = proxy_get_buffer_bytes(type, start, max, &o.p, &o.n);
  if (out) *out = o.str();
  return r;
}
uint32_t bufSet(uint32_t type, size_t start, size_t size, std::string_view data) {
  return proxy_set_buffer_bytes(type, start, size, data.data(), data.size());
}
uint32_t propGet(std::string_view path, std::string* out = nullptr) {
  Owned o;
  const uint32_t r = proxy_get_property(path.data(), path.size(), &o.p, &o.n);
  if (out) *out = o.str();
  return r;
}
uint32_t propSet(std::string_view path, std::string_view value) {
  return proxy_set_property(path.data(), path.size(), value.data(), value.size());
}
uint32_t effective(uint32_t id) { return proxy_set_effective_context(id); }
std::string path(std::initializer_list<std::string_view> parts, bool trailing_nul = false) {
  std::string p;
  for (auto s : parts) {
    if (!p.empty()) p.push_back('\0');
    p.append(s);
  }
  if (trailing_nul) p.push_back('\0');
  return p;
}
uint64_t le64(const std::string& b) {
  REQUIRE(b.size() == 8);
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | uint8_t(b[size_t(i)]);
  return v;
}
const HeaderList kGet{{":method", "GET"}, {":path", "/p"}, {":authority", "host"}};

struct Fixture {
  Fixture() { test_plugin::reset(); }
  ~Fixture() {
    host.reset();
    test_plugin::reset();
  }
  std::unique_ptr<Host> host = makeHost();
  void with(HostOptions options) {
    host.reset();
    host = makeHost(std::move(options));
  }
  test_plugin::Hooks& hooks() { return test_plugin::hooks(); }
  Trace& trace() { return test_plugin::hooks().trace; }
  static std::string n(uint32_t id) { return std::to_string(id); }
};

}  // namespace
