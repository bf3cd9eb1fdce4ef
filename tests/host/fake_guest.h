// The fake guest of the host-model suites: it drives the host model through the ABI
// adapter over a fake wasm32 linear memory (exact pointers, out-of-bounds addresses), with
// a hook per callback, a trace of every callback and its arguments, and a bump allocator
// that can fail or trap. `Fx` owns a host over it and calls the adapter on its model as a plugin would.
#pragma once

#include <doctest/doctest.h>

#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "proxy_wasm/host/abi_adapter.h"
#include "proxy_wasm/host/guest.h"
#include "proxy_wasm/host/host.h"

#include "statuses.h"

using namespace proxy_wasm;
using namespace proxy_wasm::host;

namespace {

// A wasm32 linear memory of 1 MiB: [0, 1 KiB) unused (address 0 is valid memory in wasm),
// [1 KiB, 256 KiB) test inputs and out-slots, [256 KiB, 1 MiB) the guest's allocator.
constexpr uint32_t kMemorySize = 1u << 20, kScratchStart = 1024, kHeapStart = 1u << 18;
constexpr uint32_t kOob = 0xFFFFFF00u;  // out of bounds

struct Mem {
  using Ptr = uint32_t;
  std::vector<char> bytes = std::vector<char>(kMemorySize);
  bool inBounds(Ptr p, uint64_t n) const { return uint64_t(p) + n <= bytes.size(); }
  std::optional<std::string_view> read(Ptr p, Ptr n) {
    if (!inBounds(p, n)) return std::nullopt;
    return std::string_view(bytes.data() + p, n);
  }
  bool write(Ptr p, std::string_view b) {
    if (!inBounds(p, b.size())) return false;
    if (!b.empty()) std::memcpy(bytes.data() + p, b.data(), b.size());
    return true;
  }
  bool writeU32(Ptr p, uint32_t v) {
    char b[4];
    for (int i = 0; i < 4; ++i) b[i] = char((v >> (8 * i)) & 0xff);
    return write(p, std::string_view(b, 4));
  }
  bool writeU64(Ptr p, uint64_t v) {
    char b[8];
    for (int i = 0; i < 8; ++i) b[i] = char((v >> (8 * i)) & 0xff);
    return write(p, std::string_view(b, 8));
  }
  bool writeWord(Ptr p, uint64_t v) { return v <= 0xFFFFFFFFull && writeU32(p, uint32_t(v)); }  // wasm32
  uint32_t u32(Ptr p) const {
    uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | uint8_t(bytes[p + i]);
    return v;
  }
  uint64_t u64(Ptr p) const { return uint64_t(u32(p)) | (uint64_t(u32(p + 4)) << 32); }
};
using Ptr = Mem::Ptr;

using Hook = std::function<uint32_t(const std::vector<uint32_t>&)>;

struct GuestState {
  Mem mem;
  uint32_t scratch = kScratchStart, heap = kHeapStart;
  bool has_initialize = false;
  std::set<Callback> absent;  // callbacks the module does not export
  std::map<Callback, Hook> on;
  Trace trace;                // "<callback> <args...>", allocator excluded
  std::string trap;           // set by a hook: that callback traps
  bool alloc_fails = false;
  std::function<void()> in_allocator;
};

std::string shortName(Callback cb) {
  std::string n = callbackInfo(cb).export_name;
  const std::string prefix = "proxy_on_";
  return n.rfind(prefix, 0) == 0 ? n.substr(prefix.size()) : n;
}

class FakeGuest final : public Guest {
 public:
  explicit FakeGuest(std::shared_ptr<GuestState> s) : s_(std::move(s)) {}
  bool has(Callback cb) const override {
    return cb == Callback::Initialize ? s_->has_initialize : s_->absent.count(cb) == 0;
  }
  std::string describe() const override { return "fake guest"; }
  CallResult call(Callback cb, std::initializer_list<uint32_t> list) override {
    const std::vector<uint32_t> args(list);
    CallResult r;
    if (cb == Callback::MemoryAllocate) {
      if (s_->in_allocator) s_->in_allocator();
      if (!s_->trap.empty()) {
        r.ok = false;
        r.error = std::exchange(s_->trap, std::string());
        return r;
      }
      if (s_->alloc_fails) return r;  // 0: failure
      const uint32_t size = args[0];
      if (s_->heap + uint64_t(size) > kMemorySize) s_->heap = kHeapStart;
      r.value = s_->heap;
      s_->heap += (size + 8) & ~7u;
      return r;
    }
    std::string line = shortName(cb);
    for (uint32_t a : args) line += " " + std::to_string(a);
    s_->trace.push_back(line);
    uint32_t value = (cb == Callback::VmStart || cb == Callback::Configure || cb == Callback::Done) ? 1 : 0;
    auto it = s_->on.find(cb);
    if (it != s_->on.end()) value = it->second(args);
    if (!s_->trap.empty()) {
      r.ok = false;
      r.error = std::exchange(s_->trap, std::string());
      return r;
    }
    r.value = value;
    return r;
  }

 private:
  std::shared_ptr<GuestState> s_;
};

struct Bytes {
  Ptr p, n;
};

struct Fx {
  std::shared_ptr<GuestState> s = std::make_shared<GuestState>();
  std::unique_ptr<Host> host;
  explicit Fx(HostOptions options = {}) : host(std::make_unique<Host>(std::make_unique<FakeGuest>(s), std::move(options))) {}

  Host& H() { return *host; }
  Model& model() { return host->model(); }  // what the adapter calls act on
  Mem& M() { return s->mem; }
  Trace& trace() { return s->trace; }
  void on(Callback cb, Hook fn) { s->on[cb] = std::move(fn); }

  // Test bytes in plugin memory.
  Bytes in(std::string_view b) {
    const uint32_t need = (uint32_t(b.size()) + 8) & ~7u;
    if (s->scratch + need > kHeapStart) s->scratch = kScratchStart;
    const Ptr p = s->scratch;
    s->scratch += need;
    REQUIRE(M().write(p, b));
    return {p, Ptr(b.size())};
  }
  // A zeroed 8-byte out-slot.
  Ptr slot() { return in(std::string(8, '\0')).p; }
  // Bytes the host wrote through a (ptr, size) pair of out-slots.
  std::string at(Ptr ptr_slot, Ptr size_slot) {
    const uint32_t p = M().u32(ptr_slot), n = M().u32(size_slot);
    if (n == 0) return {};
    auto v = M().read(p, n);
    REQUIRE(v.has_value());
    return std::string(*v);
  }

  // ---- Adapter calls (the plugin's view) ----------------------------------------------
  uint32_t log(uint32_t level, std::string_view msg) {
    auto m = in(msg);
    return abi::proxy_log(model(), M(), level, m.p, m.n);
  }
  uint32_t getValue(uint32_t map, std::string_view key, std::string* out = nullptr) {
    auto k = in(key);
    const Ptr pp = slot(), ps = slot();
    const uint32_t r = abi::proxy_get_header_map_value(model(), M(), map, k.p, k.n, pp, ps);
    if (r == kOk && out) *out = at(pp, ps);
    return r;
  }
  uint32_t getPairs(uint32_t map, std::string* out, Ptr* raw_ptr = nullptr) {
    const Ptr pp = slot(), ps = slot();
    const uint32_t r = abi::proxy_get_header_map_pairs(model(), M(), map, pp, ps);
    if (r == kOk && out) *out = at(pp, ps);
    if (raw_ptr) *raw_ptr = M().u32(pp);
    return r;
  }
  uint32_t setPairs(uint32_t map, std::string_view pairs) {
    auto b = in(pairs);
    return abi::proxy_set_header_map_pairs(model(), M(), map, b.p, b.n);
  }
  uint32_t size(uint32_t map, uint32_t* out = nullptr) {
    const Ptr o = slot();
    const uint32_t r = abi::proxy_get_header_map_size(model(), M(), map, o);
    if (r == kOk && out) *out = M().u32(o);
    return r;
  }
  uint32_t add(uint32_t map, std::string_view k, std::string_view v) {
    auto kb = in(k), vb = in(v);
    return abi::proxy_add_header_map_value(model(), M(), map, kb.p, kb.n, vb.p, vb.n);
  }
  uint32_t replace(uint32_t map, std::string_view k, std::string_view v) {
    auto kb = in(k), vb = in(v);
    return abi::proxy_replace_header_map_value(model(), M(), map, kb.p, kb.n, vb.p, vb.n);
  }
  uint32_t remove(uint32_t map, std::string_view k) {
    auto kb = in(k);
    return abi::proxy_remove_header_map_value(model(), M(), map, kb.p, kb.n);
  }
  uint32_t getBuffer(uint32_t type, uint32_t start, uint32_t max, std::string* out = nullptr) {
    const Ptr pp = slot(), ps = slot();
    const uint32_t r = abi::proxy_get_buffer_bytes(model(), M(), type, start, max, pp, ps);
    if (r == kOk && out) *out = at(pp, ps);
    return r;
  }
  uint32_t setBuffer(uint32_t type, uint32_t start, uint32_t size, std::string_view data) {
    auto d = in(data);
    return abi::proxy_set_buffer_bytes(model(), M(), type, start, size, d.p, d.n);
  }
  uint32_t bufferStatus(uint32_t type, uint32_t* size = nullptr, uint32_t* flags = nullptr) {
    const Ptr ps = slot(), pf = slot();
    M().writeU32(pf, 0xAAAA);
    const uint32_t r = abi::proxy_get_buffer_status(model(), M(), type, ps, pf);
    if (r == kOk && size) *size = M().u32(ps);
    if (r == kOk && flags) *flags = M().u32(pf);
    return r;
  }
  uint32_t effective(uint32_t id) { return abi::proxy_set_effective_context(model(), M(), id); }
  uint32_t status(uint32_t* code, std::string* message) {
    const Ptr pc = slot(), pp = slot(), ps = slot();
    const uint32_t r = abi::proxy_get_status(model(), M(), pc, pp, ps);
    if (r == kOk) {
      *code = M().u32(pc);
      *message = at(pp, ps);
    }
    return r;
  }
  uint32_t httpCall(std::string_view upstream, const HeaderList& headers, std::string_view body, uint32_t timeout,
                    uint32_t* token) {
    auto u = in(upstream), h = in(headers.serialize()), b = in(body), t = in("");
    const Ptr tok = slot();
    const uint32_t r = abi::proxy_http_call(model(), M(), u.p, u.n, h.p, h.n, b.p, b.n, t.p, t.n, timeout, tok);
    if (token) *token = M().u32(tok);
    return r;
  }
  uint32_t grpcCall(std::string_view upstream, uint32_t* token) {
    auto u = in(upstream), sv = in("svc"), me = in("Method"), md = in(HeaderList{{"x-md", "1"}}.serialize()),
         msg = in("req");
    const Ptr tok = slot();
    const uint32_t r =
        abi::proxy_grpc_call(model(), M(), u.p, u.n, sv.p, sv.n, me.p, me.n, md.p, md.n, msg.p, msg.n, 1000, tok);
    if (token) *token = M().u32(tok);
    return r;
  }
  uint32_t grpcStream(std::string_view upstream, uint32_t* token) {
    auto u = in(upstream), sv = in("svc"), me = in("Method"), md = in("");
    const Ptr tok = slot();
    const uint32_t r = abi::proxy_grpc_stream(model(), M(), u.p, u.n, sv.p, sv.n, me.p, me.n, md.p, md.n, tok);
    if (token) *token = M().u32(tok);
    return r;
  }
  uint32_t getProperty(std::string_view path, std::string* out = nullptr) {
    auto p = in(path);
    const Ptr pp = slot(), ps = slot();
    const uint32_t r = abi::proxy_get_property(model(), M(), p.p, p.n, pp, ps);
    if (r == kOk && out) *out = at(pp, ps);
    return r;
  }
  uint32_t setProperty(std::string_view path, std::string_view value) {
    auto p = in(path), v = in(value);
    return abi::proxy_set_property(model(), M(), p.p, p.n, v.p, v.n);
  }

  uint32_t start(std::string root_id = "r", std::string config = "") {
    return H().startPlugin(PluginOptions{std::move(root_id), std::move(config), ""});
  }
  // Runs `fn` inside a tick of `root` (the plugin's view from a root context).
  void inTick(uint32_t root, std::function<void()> fn) {
    on(Callback::Tick, [fn](const std::vector<uint32_t>&) {
      fn();
      return 0u;
    });
    H().tick(root);
    s->on.erase(Callback::Tick);
  }
};

std::string ids(uint32_t a, uint32_t b) { return std::to_string(a) + " " + std::to_string(b); }

// Calls an adapter function with every argument zero (null pointers, zero sizes).
template <class... A>
uint32_t callWithZeros(Model& h, Mem& m, uint32_t (*f)(Model&, Mem&, A...)) {
  return f(h, m, A{}...);
}

}  // namespace
