// The host model through its ABI adapter, driven by a fake guest over a fake wasm32 linear
// memory: every host function's status in its success and failure cases (exact
// out-of-bounds pointers), start-up and allocator restrictions, traps, and the exact
// arguments of every callback. Facts: shared/ABI.md (section numbers in the test names).
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

using namespace proxy_wasm;
using namespace proxy_wasm::host;
using Trace = std::vector<std::string>;

namespace {

constexpr uint32_t kOk = 0;
uint32_t st(Status s) { return static_cast<uint32_t>(s); }
const uint32_t kNF = st(Status::NotFound), kBA = st(Status::BadArgument), kIMA = st(Status::InvalidMemoryAccess);

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
    return abi::log(H(), M(), level, m.p, m.n);
  }
  uint32_t getValue(uint32_t map, std::string_view key, std::string* out = nullptr) {
    auto k = in(key);
    const Ptr pp = slot(), ps = slot();
    const uint32_t r = abi::get_header_map_value(H(), M(), map, k.p, k.n, pp, ps);
    if (r == kOk && out) *out = at(pp, ps);
    return r;
  }
  uint32_t getPairs(uint32_t map, std::string* out, Ptr* raw_ptr = nullptr) {
    const Ptr pp = slot(), ps = slot();
    const uint32_t r = abi::get_header_map_pairs(H(), M(), map, pp, ps);
    if (r == kOk && out) *out = at(pp, ps);
    if (raw_ptr) *raw_ptr = M().u32(pp);
    return r;
  }
  uint32_t setPairs(uint32_t map, std::string_view pairs) {
    auto b = in(pairs);
    return abi::set_header_map_pairs(H(), M(), map, b.p, b.n);
  }
  uint32_t size(uint32_t map, uint32_t* out = nullptr) {
    const Ptr o = slot();
    const uint32_t r = abi::get_header_map_size(H(), M(), map, o);
    if (r == kOk && out) *out = M().u32(o);
    return r;
  }
  uint32_t add(uint32_t map, std::string_view k, std::string_view v) {
    auto kb = in(k), vb = in(v);
    return abi::add_header_map_value(H(), M(), map, kb.p, kb.n, vb.p, vb.n);
  }
  uint32_t replace(uint32_t map, std::string_view k, std::string_view v) {
    auto kb = in(k), vb = in(v);
    return abi::replace_header_map_value(H(), M(), map, kb.p, kb.n, vb.p, vb.n);
  }
  uint32_t remove(uint32_t map, std::string_view k) {
    auto kb = in(k);
    return abi::remove_header_map_value(H(), M(), map, kb.p, kb.n);
  }
  uint32_t getBuffer(uint32_t type, uint32_t start, uint32_t max, std::string* out = nullptr) {
    const Ptr pp = slot(), ps = slot();
    const uint32_t r = abi::get_buffer_bytes(H(), M(), type, start, max, pp, ps);
    if (r == kOk && out) *out = at(pp, ps);
    return r;
  }
  uint32_t setBuffer(uint32_t type, uint32_t start, uint32_t size, std::string_view data) {
    auto d = in(data);
    return abi::set_buffer_bytes(H(), M(), type, start, size, d.p, d.n);
  }
  uint32_t bufferStatus(uint32_t type, uint32_t* size = nullptr, uint32_t* flags = nullptr) {
    const Ptr ps = slot(), pf = slot();
    M().writeU32(pf, 0xAAAA);
    const uint32_t r = abi::get_buffer_status(H(), M(), type, ps, pf);
    if (r == kOk && size) *size = M().u32(ps);
    if (r == kOk && flags) *flags = M().u32(pf);
    return r;
  }
  uint32_t effective(uint32_t id) { return abi::set_effective_context(H(), M(), id); }
  uint32_t status(uint32_t* code, std::string* message) {
    const Ptr pc = slot(), pp = slot(), ps = slot();
    const uint32_t r = abi::get_status(H(), M(), pc, pp, ps);
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
    const uint32_t r = abi::http_call(H(), M(), u.p, u.n, h.p, h.n, b.p, b.n, t.p, t.n, timeout, tok);
    if (token) *token = M().u32(tok);
    return r;
  }
  uint32_t grpcCall(std::string_view upstream, uint32_t* token) {
    auto u = in(upstream), sv = in("svc"), me = in("Method"), md = in(HeaderList{{"x-md", "1"}}.serialize()),
         msg = in("req");
    const Ptr tok = slot();
    const uint32_t r =
        abi::grpc_call(H(), M(), u.p, u.n, sv.p, sv.n, me.p, me.n, md.p, md.n, msg.p, msg.n, 1000, tok);
    if (token) *token = M().u32(tok);
    return r;
  }
  uint32_t grpcStream(std::string_view upstream, uint32_t* token) {
    auto u = in(upstream), sv = in("svc"), me = in("Method"), md = in("");
    const Ptr tok = slot();
    const uint32_t r = abi::grpc_stream(H(), M(), u.p, u.n, sv.p, sv.n, me.p, me.n, md.p, md.n, tok);
    if (token) *token = M().u32(tok);
    return r;
  }
  uint32_t getProperty(std::string_view path, std::string* out = nullptr) {
    auto p = in(path);
    const Ptr pp = slot(), ps = slot();
    const uint32_t r = abi::get_property(H(), M(), p.p, p.n, pp, ps);
    if (r == kOk && out) *out = at(pp, ps);
    return r;
  }
  uint32_t setProperty(std::string_view path, std::string_view value) {
    auto p = in(path), v = in(value);
    return abi::set_property(H(), M(), p.p, p.n, v.p, v.n);
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
uint32_t callWithZeros(Host& h, Mem& m, uint32_t (*f)(Host&, Mem&, A...)) {
  return f(h, m, A{}...);
}

}  // namespace

// ---- Coverage -----------------------------------------------------------------------------

TEST_CASE("the adapter has every v0.2.1 host function, once (§2.2)") {
  std::set<std::string> names;
  int n = 0;
  abi::forEachHostFunction<Mem>([&](const char* name, auto) {
    names.insert(name);
    ++n;
  });
  CHECK(n == 39);
  CHECK(names.size() == 39);
  for (const char* name : {"proxy_log", "proxy_get_log_level", "proxy_continue_stream", "proxy_close_stream",
                           "proxy_get_metric", "proxy_call_foreign_function", "proxy_grpc_stream"})
    CHECK(names.count(name) == 1);
  // Functions v0.2.1 hosts do not provide.
  for (const char* name : {"proxy_get_configuration", "proxy_continue_request", "proxy_clear_route_cache"})
    CHECK(names.count(name) == 0);
}

// ---- Start-up and the allocator (§2.5) ------------------------------------------------------

TEST_CASE("start-up: only proxy_log is allowed; any other proxy_* call is a violation and traps") {
  Fx f;
  f.s->has_initialize = true;
  std::vector<std::string> refused, allowed;
  f.on(Callback::Initialize, [&](const std::vector<uint32_t>&) {
    abi::forEachHostFunction<Mem>([&](const char* name, auto fn) {
      const uint32_t r = callWithZeros(f.H(), f.M(), fn);
      (r == abi::kTrap ? refused : allowed).push_back(name);
    });
    return 0u;
  });
  CHECK(f.H().startVm());  // the guest ignored the traps here; see the next case
  CHECK(allowed == std::vector<std::string>{"proxy_log"});
  CHECK(refused.size() == 38);
  REQUIRE(f.H().violations().size() == 38);
  CHECK(f.H().violations()[0].find("proxy_get_log_level called during module start-up") == 0);
  CHECK(f.H().logs().size() == 1);
  CHECK(f.H().logs()[0].context_id == 0);  // logged under the VM context
}

TEST_CASE("start-up: a restricted call traps, the VM fails and no plugin starts") {
  Fx f;
  f.s->has_initialize = true;
  f.on(Callback::Initialize, [&](const std::vector<uint32_t>&) {
    CHECK(f.log(2, "static init") == kOk);
    auto name = f.in("requests");
    const Ptr id = f.slot();
    if (abi::define_metric(f.H(), f.M(), 0, name.p, name.n, id) == abi::kTrap) f.s->trap = "restricted_callback";
    return 0u;
  });
  CHECK_FALSE(f.H().startVm());
  CHECK(f.H().failed());
  CHECK(f.H().failure().find("_initialize") != std::string::npos);
  REQUIRE(f.H().violations().size() == 1);
  CHECK(f.H().violations()[0].find("proxy_define_metric") == 0);
  CHECK(f.start() == 0);
  CHECK(f.trace() == Trace{"_initialize"});
  CHECK(f.H().logs(LogLevel::Info) == std::vector<std::string>{"static init"});
}

TEST_CASE("the host-call record: refused start-up calls, calls inside the allocator, calls outside callbacks") {
  Fx f(HostOptions{"vm", "vm-config"});
  f.s->has_initialize = true;
  f.on(Callback::Initialize, [&](const std::vector<uint32_t>&) {
    CHECK(f.log(2, "static init") == kOk);
    auto name = f.in("requests");
    const Ptr id = f.slot();
    CHECK(abi::define_metric(f.H(), f.M(), 0, name.p, name.n, id) == abi::kTrap);
    return 0u;
  });
  REQUIRE(f.H().startVm());
  REQUIRE(f.H().hostCalls().size() == 2);
  const HostCall log = f.H().hostCalls()[0], refused = f.H().hostCalls()[1];
  CHECK(log.function == "proxy_log");
  CHECK(log.status == Status::Ok);
  CHECK_FALSE(log.refused);
  CHECK(refused.function == "proxy_define_metric");
  CHECK(refused.refused);  // an engine traps; natively the plugin gets InternalFailure
  CHECK(refused.status == Status::InternalFailure);
  for (const HostCall& c : f.H().hostCalls()) {
    REQUIRE(c.callback.has_value());
    CHECK(*c.callback == Callback::Initialize);
    CHECK(c.context_id == 0);
    CHECK(c.current_context_id == 0);
  }

  // Inside the allocator (during get_buffer_bytes' copy-out): recorded after the call that
  // allocates, as MemoryAllocate; proxy_log allowed, anything else refused.
  const uint32_t root = f.start();
  REQUIRE(root != 0);
  f.H().clearHostCalls();
  int allocations = 0;
  f.s->in_allocator = [&] {
    ++allocations;
    CHECK(f.log(2, "allocating") == kOk);
    CHECK(abi::done(f.H(), f.M()) == abi::kTrap);
  };
  f.inTick(root, [&] { CHECK(f.getBuffer(6, 0, 100) == kOk); });
  CHECK(allocations == 1);
  const auto& calls = f.H().hostCalls();
  REQUIRE(calls.size() == 3);
  CHECK(calls[0].function == "proxy_get_buffer_bytes");
  CHECK(calls[0].status == Status::Ok);
  CHECK(*calls[0].callback == Callback::Tick);
  CHECK(calls[0].current_context_id == root);
  CHECK(calls[1].function == "proxy_log");
  CHECK(*calls[1].callback == Callback::MemoryAllocate);
  CHECK(calls[2].function == "proxy_done");
  CHECK(calls[2].refused);
  CHECK(*calls[2].callback == Callback::MemoryAllocate);
  f.s->in_allocator = nullptr;

  // A call with no callback running (a native test calling the ABI itself).
  f.H().clearHostCalls();
  CHECK(f.log(2, "outside") == kOk);
  REQUIRE(f.H().hostCalls().size() == 1);
  CHECK_FALSE(f.H().hostCalls()[0].callback.has_value());
  CHECK(f.H().hostCalls("proxy_log").size() == 1);
  CHECK(f.H().hostCalls("proxy_done").empty());
}

TEST_CASE("inside the allocator only proxy_log is allowed (§2.5)") {
  Fx f(HostOptions{"vm", "vm-config"});
  const uint32_t root = f.start();
  std::vector<std::string> allowed;
  int refused = 0;
  bool once = false;
  f.s->in_allocator = [&] {
    if (once) return;
    once = true;
    abi::forEachHostFunction<Mem>([&](const char* name, auto fn) {
      if (callWithZeros(f.H(), f.M(), fn) == abi::kTrap)
        ++refused;
      else
        allowed.push_back(name);
    });
  };
  f.inTick(root, [&] {
    std::string out;
    CHECK(f.getBuffer(6, 0, 100, &out) == kOk);  // allocates
    CHECK(out == "vm-config");
  });
  CHECK(allowed == std::vector<std::string>{"proxy_log"});
  CHECK(refused == 38);
  CHECK(f.H().violations().size() == 38);
  CHECK(f.H().violations()[0].find("inside the allocator") != std::string::npos);
}

TEST_CASE("an allocator returning 0 makes the call InvalidMemoryAccess (§1.1, §2.1)") {
  Fx f(HostOptions{"vm", "vm-config"});
  const uint32_t root = f.start();
  f.s->alloc_fails = true;
  f.inTick(root, [&] {
    CHECK(f.getBuffer(6, 0, 100) == kIMA);
    CHECK(f.getProperty("plugin_vm_id") == kIMA);
    // Nothing to allocate: no allocator call, Ok.
    CHECK(f.getBuffer(6, 0, 0) == kOk);
  });
}

// ---- Statuses, function by function (§2.1-2.2, §5.11) ------------------------------------

TEST_CASE("pointers: out of bounds is IMA; address 0 with a size is valid wasm memory (§2.1)") {
  Fx f;
  const uint32_t root = f.start();
  f.inTick(root, [&] {
    CHECK(abi::log(f.H(), f.M(), 2, 0, 4) == kOk);  // reads 4 bytes at address 0
    CHECK(abi::log(f.H(), f.M(), 2, kOob, 4) == kIMA);
    CHECK(abi::log(f.H(), f.M(), 2, kMemorySize - 2, 4) == kIMA);  // straddles the end
    CHECK(abi::log(f.H(), f.M(), 2, kMemorySize - 4, 4) == kOk);   // ends exactly at the end
    CHECK(abi::log(f.H(), f.M(), 2, kOob, 0) == kIMA);             // even empty, out of bounds
    // Enum ranges are checked before pointers.
    CHECK(abi::log(f.H(), f.M(), 6, kOob, 4) == kBA);
    CHECK(abi::get_header_map_pairs(f.H(), f.M(), 8, kOob, kOob) == kBA);
    CHECK(abi::get_buffer_bytes(f.H(), f.M(), 9, 0, 1, kOob, kOob) == kBA);
    auto name = f.in("m");
    CHECK(abi::define_metric(f.H(), f.M(), 3, kOob, 1, kOob) == kBA);
    CHECK(abi::define_metric(f.H(), f.M(), 0, name.p, name.n, kOob) == kIMA);
  });
}

TEST_CASE("logging, log level, clock (§2.2)") {
  HostOptions o;
  o.log_level = LogLevel::Info;
  o.start_time_ns = 5'000'000'000ull;
  Fx f(o);
  const uint32_t root = f.start();
  f.inTick(root, [&] {
    CHECK(f.log(1, "debug, dropped") == kOk);
    CHECK(f.log(5, "critical") == kOk);
    CHECK(f.log(6, "off is not a level to log at") == kBA);
    const Ptr lvl = f.slot(), now = f.slot();
    CHECK(abi::get_log_level(f.H(), f.M(), lvl) == kOk);
    CHECK(f.M().u32(lvl) == 2);
    CHECK(abi::get_log_level(f.H(), f.M(), kOob) == kIMA);
    CHECK(abi::get_current_time_nanoseconds(f.H(), f.M(), now) == kOk);
    CHECK(f.M().u64(now) == 5'000'000'000ull);
    CHECK(abi::get_current_time_nanoseconds(f.H(), f.M(), kOob) == kIMA);
  });
  REQUIRE(f.H().logs().size() == 1);
  CHECK(f.H().logs()[0].message == "critical");
  CHECK(f.H().logs()[0].context_id == root);
  f.H().advanceTime(1500);
  f.inTick(root, [&] {
    const Ptr now = f.slot();
    CHECK(abi::get_current_time_nanoseconds(f.H(), f.M(), now) == kOk);
    CHECK(f.M().u64(now) == 6'500'000'000ull);
  });
}

TEST_CASE("foreign functions: Ok with the result, NotFound, the function's own status, discarded result") {
  Fx f;
  const uint32_t root = f.start();
  f.H().registerForeignFunction("echo", [](std::string_view args, std::string& out) {
    out = "<" + std::string(args) + ">";
    return Status::Ok;
  });
  f.H().registerForeignFunction("picky", [](std::string_view, std::string&) { return Status::BadArgument; });
  f.inTick(root, [&] {
    auto echo = f.in("echo"), args = f.in("x"), nope = f.in("nope"), picky = f.in("picky");
    const Ptr pp = f.slot(), ps = f.slot();
    CHECK(abi::call_foreign_function(f.H(), f.M(), echo.p, echo.n, args.p, args.n, pp, ps) == kOk);
    CHECK(f.at(pp, ps) == "<x>");
    CHECK(abi::call_foreign_function(f.H(), f.M(), nope.p, nope.n, args.p, args.n, pp, ps) == kNF);
    CHECK(abi::call_foreign_function(f.H(), f.M(), picky.p, picky.n, args.p, args.n, pp, ps) == kBA);
    CHECK(abi::call_foreign_function(f.H(), f.M(), kOob, 4, args.p, args.n, pp, ps) == kIMA);
    CHECK(abi::call_foreign_function(f.H(), f.M(), echo.p, echo.n, args.p, args.n, 0, 0) == kOk);  // discarded
  });
}

TEST_CASE("foreign function arguments: buffer 8 only in on_foreign_function (§5.9)") {
  Fx f;
  const uint32_t root = f.start();
  std::string seen;
  f.on(Callback::ForeignFunction, [&](const std::vector<uint32_t>& a) {
    CHECK(a == std::vector<uint32_t>{root, 7, 4});
    CHECK(f.getBuffer(8, 0, 0xFFFFFFFF, &seen) == kOk);
    CHECK(f.setBuffer(8, 0, 0, "x") == kBA);
    return 0u;
  });
  f.H().callPluginForeignFunction(7, "args");
  CHECK(seen == "args");
  f.inTick(root, [&] { CHECK(f.getBuffer(8, 0, 10) == kNF); });
}

TEST_CASE("effective context: live ids Ok, unknown ids BadArgument (§5.4)") {
  Fx f;
  const uint32_t root = f.start();
  auto& s = f.H().newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  f.inTick(root, [&] {
    CHECK(f.effective(root) == kOk);
    CHECK(f.effective(s.id()) == kOk);
    CHECK(f.effective(0) == kBA);
    CHECK(f.effective(999) == kBA);
  });
}

TEST_CASE("buffers: range clamping, status, flags (§5.9)") {
  Fx f(HostOptions{"vm", "0123456789"});
  const uint32_t root = f.start();
  f.inTick(root, [&] {
    std::string out = "unset";
    CHECK(f.getBuffer(6, 0, 0xFFFFFFFF, &out) == kOk);
    CHECK(out == "0123456789");
    CHECK(f.getBuffer(6, 3, 4, &out) == kOk);
    CHECK(out == "3456");
    CHECK(f.getBuffer(6, 8, 100, &out) == kOk);  // truncated
    CHECK(out == "89");
    CHECK(f.getBuffer(6, 10, 5, &out) == kOk);  // at the end
    CHECK(out.empty());
    CHECK(f.getBuffer(6, 50, 5, &out) == kOk);  // past the end
    CHECK(out.empty());
    CHECK(f.getBuffer(6, 2, 0, &out) == kOk);  // length 0
    CHECK(out.empty());
    // Empty results are 0/0, with nothing allocated.
    const Ptr pp = f.slot(), ps = f.slot();
    f.M().writeU32(pp, 0x1234);
    f.M().writeU32(ps, 0x1234);
    CHECK(abi::get_buffer_bytes(f.H(), f.M(), 6, 50, 5, pp, ps) == kOk);
    CHECK(f.M().u32(pp) == 0);
    CHECK(f.M().u32(ps) == 0);
    CHECK(abi::get_buffer_bytes(f.H(), f.M(), 6, 0, 5, kOob, ps) == kIMA);
    CHECK(f.getBuffer(9, 0, 1) == kBA);
    uint32_t size = 0, flags = 0;
    CHECK(f.bufferStatus(6, &size, &flags) == kOk);
    CHECK(size == 10);
    CHECK(flags == 0);
    CHECK(f.bufferStatus(9) == kBA);
    CHECK(abi::get_buffer_status(f.H(), f.M(), 6, kOob, f.slot()) == kIMA);
    // Unavailable now: 4 (no call response), 7 (not configuring), 8 (no foreign call).
    for (uint32_t t : {4u, 7u, 8u}) {
      CHECK(f.getBuffer(t, 0, 10) == kNF);
      CHECK(f.bufferStatus(t) == kNF);
    }
    // Body buffers without an HTTP stream read as empty; 5 (gRPC) outside its callback too.
    for (uint32_t t : {0u, 1u, 2u, 3u, 5u}) {
      CHECK(f.getBuffer(t, 0, 10, &out) == kOk);
      CHECK(out.empty());
    }
    // Writes: read-only buffers are BA, except the call response and the plugin
    // configuration, which do not exist now (NotFound); a body or TCP data with nothing
    // behind it is BA (Envoy's empty buffer object); IMA.
    for (uint32_t t : {5u, 6u, 8u}) CHECK(f.setBuffer(t, 0, 0, "x") == kBA);
    for (uint32_t t : {4u, 7u}) CHECK(f.setBuffer(t, 0, 0, "x") == kNF);
    for (uint32_t t : {0u, 1u, 2u, 3u}) CHECK(f.setBuffer(t, 0, 0, "x") == kBA);
    CHECK(f.setBuffer(9, 0, 0, "x") == kBA);
    CHECK(abi::set_buffer_bytes(f.H(), f.M(), 6, 0, 0, kOob, 1) == kIMA);
  });
}

TEST_CASE("plugin configuration: buffer 7 only during on_configure (§5.1, §5.9)") {
  Fx f(HostOptions{"vm", "vmcfg"});
  std::vector<std::string> seen;
  f.on(Callback::VmStart, [&](const std::vector<uint32_t>&) {
    std::string out;
    CHECK(f.getBuffer(6, 0, 100, &out) == kOk);
    seen.push_back("vm_start:" + out);
    CHECK(f.getBuffer(7, 0, 100) == kNF);
    return 1u;
  });
  f.on(Callback::Configure, [&](const std::vector<uint32_t>&) {
    std::string out;
    CHECK(f.getBuffer(7, 0, 100, &out) == kOk);
    seen.push_back("configure:" + out);
    return 1u;
  });
  const uint32_t root = f.start("r", "plugincfg");
  CHECK(seen == std::vector<std::string>{"vm_start:vmcfg", "configure:plugincfg"});
  f.inTick(root, [&] { CHECK(f.getBuffer(7, 0, 100) == kNF); });
  CHECK(f.H().configure(root, "second"));
  CHECK(seen.back() == "configure:second");
}

TEST_CASE("set_buffer_bytes on a body: prepend, replace, append, BA in between (§5.9)") {
  Fx f;
  f.start();
  std::vector<uint32_t> results;
  std::string after;
  f.on(Callback::RequestBody, [&](const std::vector<uint32_t>&) {
    results.push_back(f.setBuffer(0, 0, 0, "<"));          // prepend
    results.push_back(f.setBuffer(0, 100, 0, ">"));        // start past the end: append
    results.push_back(f.setBuffer(0, 2, 1, "!"));          // in between: unsupported
    results.push_back(f.setBuffer(0, 0, 2, "[["));         // drop 2, prepend
    f.getBuffer(0, 0, 0xFFFFFFFF, &after);
    results.push_back(f.setBuffer(0, 0, 0xFFFFFFFF, "all"));  // replace everything
    results.push_back(f.setBuffer(0, 3, 0, "+"));          // start == length: append
    results.push_back(f.setBuffer(1, 0, 0, "x"));          // the response body does not exist
    return 0u;
  });
  f.on(Callback::RequestHeaders, [&](const std::vector<uint32_t>&) {
    results.push_back(f.setBuffer(0, 0, 0, "early"));  // no body in the headers phase
    return 0u;
  });
  auto& s = f.H().newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  s.sendRequestBody("body", true);
  CHECK(results == std::vector<uint32_t>{kBA, kOk, kOk, kBA, kOk, kOk, kOk, kBA});
  CHECK(after == "[[ody>");
  CHECK(s.forwardedRequestBody() == "all+");
  CHECK(s.bufferedResponseBody().empty());
}

TEST_CASE("header maps: statuses of every operation (§2.2, §4.1, §5.10)") {
  Fx f;
  f.start();
  f.on(Callback::RequestHeaders, [&](const std::vector<uint32_t>& a) {
    CHECK(a[1] == 3);  // number of headers
    CHECK(a[2] == 0);  // end of stream
    std::string v;
    CHECK(f.getValue(0, "X-Dup", &v) == kOk);  // keys are lower-cased; the first value
    CHECK(v == "1");
    CHECK(f.getValue(0, "x-missing") == kNF);
    CHECK(f.getValue(8, "x") == kBA);
    CHECK(abi::get_header_map_value(f.H(), f.M(), 0, kOob, 3, f.slot(), f.slot()) == kIMA);
    uint32_t size = 0;
    CHECK(f.size(0, &size) == kOk);
    CHECK(size == std::string(":path/x-dup1x-dup2").size());  // Envoy's byteSize()
    CHECK(f.size(8) == kBA);
    CHECK(abi::get_header_map_size(f.H(), f.M(), 0, kOob) == kIMA);
    std::string pairs;
    CHECK(f.getPairs(0, &pairs) == kOk);
    CHECK(pairs == HeaderList{{":path", "/"}, {"x-dup", "1"}, {"x-dup", "2"}}.serialize());
    CHECK(f.getPairs(8, &pairs) == kBA);
    CHECK(abi::get_header_map_pairs(f.H(), f.M(), 0, kOob, f.slot()) == kIMA);
    CHECK(f.add(0, "X-New", "a") == kOk);
    CHECK(f.add(0, "x-new", "b") == kOk);  // duplicates allowed
    CHECK(f.replace(0, "x-dup", "r") == kOk);
    CHECK(f.replace(0, "x-absent", "added") == kOk);
    CHECK(f.remove(0, "x-never") == kOk);
    CHECK(f.add(8, "k", "v") == kBA);
    CHECK(f.replace(8, "k", "v") == kBA);
    CHECK(f.remove(8, "k") == kBA);
    auto k = f.in("k");
    CHECK(abi::add_header_map_value(f.H(), f.M(), 0, k.p, k.n, kOob, 1) == kIMA);
    CHECK(abi::replace_header_map_value(f.H(), f.M(), 0, kOob, 1, k.p, k.n) == kIMA);
    CHECK(abi::remove_header_map_value(f.H(), f.M(), 0, kOob, 1) == kIMA);
    CHECK(f.setPairs(8, "") == kBA);
    CHECK(abi::set_header_map_pairs(f.H(), f.M(), 0, kOob, 4) == kIMA);
    return 0u;
  });
  auto& s = f.H().newHttpStream();
  s.sendRequestHeaders({{":path", "/"}, {"x-dup", "1"}, {"X-Dup", "2"}});
  CHECK(s.requestHeaders() == HeaderList{{":path", "/"}, {"x-dup", "r"}, {"x-new", "a"}, {"x-new", "b"}, {"x-absent", "added"}});
}

TEST_CASE("set_header_map_pairs replaces the map; malformed input clears it (§4.1)") {
  Fx f;
  f.start();
  std::string mode;
  f.on(Callback::RequestHeaders, [&](const std::vector<uint32_t>&) {
    std::string bytes;
    if (mode == "good") bytes = HeaderList{{"A", "1"}, {"b", "2"}}.serialize();
    if (mode == "truncated") bytes = HeaderList{{"a", "1"}}.serialize().substr(0, 10);
    if (mode == "no-nul") {
      bytes = HeaderList{{"a", "1"}}.serialize();
      bytes[bytes.size() - 1] = 'x';
    }
    if (mode == "trailing") bytes = HeaderList{{"a", "1"}}.serialize() + "z";
    CHECK(f.setPairs(0, bytes) == kOk);
    return 0u;
  });
  for (std::string m : {"good", "truncated", "no-nul", "trailing", "empty"}) {
    CAPTURE(m);
    mode = m;
    auto& s = f.H().newHttpStream();
    s.sendRequestHeaders({{":path", "/"}});
    if (m == "good")
      CHECK(s.requestHeaders() == HeaderList{{"a", "1"}, {"b", "2"}});  // keys lower-cased
    else
      CHECK(s.requestHeaders().empty());
  }
}

TEST_CASE("continue_stream and close_stream statuses (§2.2, §5.5-5.6)") {
  Fx f;
  const uint32_t root = f.start();
  f.inTick(root, [&] {
    CHECK(abi::continue_stream(f.H(), f.M(), 0) == kOk);  // no stream: nothing to do, Ok
    CHECK(abi::continue_stream(f.H(), f.M(), 1) == kOk);
    CHECK(abi::continue_stream(f.H(), f.M(), 2) == kOk);
    CHECK(abi::continue_stream(f.H(), f.M(), 3) == st(Status::Unimplemented));
    CHECK(abi::continue_stream(f.H(), f.M(), 4) == kBA);
    for (uint32_t t : {0u, 1u, 2u, 3u}) CHECK(abi::close_stream(f.H(), f.M(), t) == kOk);
    CHECK(abi::close_stream(f.H(), f.M(), 4) == kBA);
  });
}

TEST_CASE("send_local_response: always Ok (no-op without a stream), IMA for bad pointers (§4.7)") {
  Fx f;
  const uint32_t root = f.start();
  f.inTick(root, [&] {
    auto d = f.in("details"), b = f.in("body"), h = f.in("");
    CHECK(abi::send_local_response(f.H(), f.M(), 403, d.p, d.n, b.p, b.n, h.p, h.n, 0xFFFFFFFF) == kOk);
    CHECK(abi::send_local_response(f.H(), f.M(), 403, kOob, 1, b.p, b.n, h.p, h.n, 0) == kIMA);
    CHECK(abi::send_local_response(f.H(), f.M(), 403, d.p, d.n, kOob, 1, h.p, h.n, 0) == kIMA);
    CHECK(abi::send_local_response(f.H(), f.M(), 403, d.p, d.n, b.p, b.n, kOob, 1, 0) == kIMA);
  });
  CHECK(f.H().violations().empty());
}

TEST_CASE("shared data: cas rules and statuses (§4.4)") {
  Fx f;
  const uint32_t root = f.start();
  f.inTick(root, [&] {
    auto key = f.in("k"), v1 = f.in("v1"), v2 = f.in("v2"), v3 = f.in("v3");
    const Ptr pp = f.slot(), ps = f.slot(), cas = f.slot();
    CHECK(abi::get_shared_data(f.H(), f.M(), key.p, key.n, pp, ps, cas) == kNF);
    CHECK(abi::set_shared_data(f.H(), f.M(), key.p, key.n, v1.p, v1.n, 77) == kOk);  // absent: created whatever the cas
    CHECK(abi::get_shared_data(f.H(), f.M(), key.p, key.n, pp, ps, cas) == kOk);
    CHECK(f.at(pp, ps) == "v1");
    const uint32_t c1 = f.M().u32(cas);
    CHECK(c1 != 0);
    CHECK(abi::set_shared_data(f.H(), f.M(), key.p, key.n, v2.p, v2.n, c1 + 1) == st(Status::CasMismatch));
    CHECK(abi::set_shared_data(f.H(), f.M(), key.p, key.n, v2.p, v2.n, c1) == kOk);
    CHECK(abi::get_shared_data(f.H(), f.M(), key.p, key.n, pp, ps, cas) == kOk);
    const uint32_t c2 = f.M().u32(cas);
    CHECK(c2 == c1 + 1);  // one counter, +1 per write
    CHECK(abi::set_shared_data(f.H(), f.M(), key.p, key.n, v3.p, v3.n, c1) == st(Status::CasMismatch));  // stale
    CHECK(abi::set_shared_data(f.H(), f.M(), key.p, key.n, v3.p, v3.n, 0) == kOk);  // unconditional
    CHECK(abi::get_shared_data(f.H(), f.M(), key.p, key.n, pp, ps, cas) == kOk);
    CHECK(f.at(pp, ps) == "v3");
    CHECK(f.M().u32(cas) == c2 + 1);
    CHECK(abi::get_shared_data(f.H(), f.M(), kOob, 1, pp, ps, cas) == kIMA);
    CHECK(abi::set_shared_data(f.H(), f.M(), key.p, key.n, kOob, 1, 0) == kIMA);
    CHECK(abi::get_shared_data(f.H(), f.M(), key.p, key.n, pp, ps, kOob) == kIMA);
  });
  // Namespaced by vm_id: the driver sees the key under this host's vm_id.
  REQUIRE(f.H().sharedData("k"));
  CHECK(f.H().sharedData("k")->first == "v3");
}

TEST_CASE("shared queues: register, resolve, enqueue, dequeue statuses (§4.5)") {
  Fx f(HostOptions{"myvm"});
  const uint32_t root = f.start();
  f.inTick(root, [&] {
    auto q = f.in("q"), other = f.in("other"), vm = f.in("myvm"), none = f.in(""), data = f.in("item");
    const Ptr id = f.slot(), id2 = f.slot(), id3 = f.slot(), pp = f.slot(), ps = f.slot();
    CHECK(abi::resolve_shared_queue(f.H(), f.M(), none.p, none.n, q.p, q.n, id) == kNF);
    CHECK(abi::register_shared_queue(f.H(), f.M(), q.p, q.n, id) == kOk);
    CHECK(f.M().u32(id) != 0);
    CHECK(abi::register_shared_queue(f.H(), f.M(), q.p, q.n, id2) == kOk);  // opens the same queue
    CHECK(f.M().u32(id2) == f.M().u32(id));
    CHECK(abi::resolve_shared_queue(f.H(), f.M(), none.p, none.n, q.p, q.n, id3) == kOk);  // own vm_id
    CHECK(f.M().u32(id3) == f.M().u32(id));
    CHECK(abi::resolve_shared_queue(f.H(), f.M(), vm.p, vm.n, q.p, q.n, id3) == kOk);
    CHECK(abi::resolve_shared_queue(f.H(), f.M(), other.p, other.n, q.p, q.n, id3) == kNF);  // other vm_id
    const uint32_t qid = f.M().u32(id);
    CHECK(abi::dequeue_shared_queue(f.H(), f.M(), qid, pp, ps) == st(Status::Empty));
    CHECK(abi::enqueue_shared_queue(f.H(), f.M(), qid, data.p, data.n) == kOk);
    CHECK(abi::enqueue_shared_queue(f.H(), f.M(), qid + 100, data.p, data.n) == kNF);
    CHECK(abi::enqueue_shared_queue(f.H(), f.M(), qid, kOob, 1) == kIMA);
    CHECK(abi::dequeue_shared_queue(f.H(), f.M(), qid + 100, pp, ps) == kNF);
    CHECK(abi::dequeue_shared_queue(f.H(), f.M(), qid, pp, ps) == kOk);
    CHECK(f.at(pp, ps) == "item");
    CHECK(abi::dequeue_shared_queue(f.H(), f.M(), qid, pp, ps) == st(Status::Empty));
    CHECK(abi::register_shared_queue(f.H(), f.M(), kOob, 1, id) == kIMA);
    CHECK(abi::resolve_shared_queue(f.H(), f.M(), kOob, 1, q.p, q.n, id) == kIMA);
    CHECK(abi::register_shared_queue(f.H(), f.M(), q.p, q.n, kOob) == kIMA);
  });
}

TEST_CASE("metrics: ids carry the type, statuses per type (§5.8)") {
  Fx f;
  const uint32_t root = f.start();
  f.inTick(root, [&] {
    auto c = f.in("c"), g = f.in("g"), h = f.in("h");
    const Ptr ic = f.slot(), ig = f.slot(), ih = f.slot(), v = f.slot();
    CHECK(abi::define_metric(f.H(), f.M(), 0, c.p, c.n, ic) == kOk);
    CHECK(abi::define_metric(f.H(), f.M(), 1, g.p, g.n, ig) == kOk);
    CHECK(abi::define_metric(f.H(), f.M(), 2, h.p, h.n, ih) == kOk);
    CHECK(abi::define_metric(f.H(), f.M(), 3, h.p, h.n, ih) == kBA);
    CHECK(abi::define_metric(f.H(), f.M(), 0, kOob, 1, ic) == kIMA);
    const uint32_t counter = f.M().u32(ic), gauge = f.M().u32(ig), histogram = f.M().u32(ih);
    CHECK(counter % 4 == 0);
    CHECK(gauge % 4 == 1);
    CHECK(histogram % 4 == 2);
    CHECK(counter >= 4);
    // Counter: increment > 0, record adds, get.
    CHECK(abi::increment_metric(f.H(), f.M(), counter, 5) == kOk);
    CHECK(abi::increment_metric(f.H(), f.M(), counter, 0) == kBA);
    CHECK(abi::increment_metric(f.H(), f.M(), counter, -1) == kBA);
    CHECK(abi::record_metric(f.H(), f.M(), counter, 10) == kOk);
    CHECK(abi::get_metric(f.H(), f.M(), counter, v) == kOk);
    CHECK(f.M().u64(v) == 15);
    // Gauge: add/subtract, record sets.
    CHECK(abi::record_metric(f.H(), f.M(), gauge, 10) == kOk);
    CHECK(abi::increment_metric(f.H(), f.M(), gauge, -3) == kOk);
    CHECK(abi::increment_metric(f.H(), f.M(), gauge, 0) == kOk);
    CHECK(abi::get_metric(f.H(), f.M(), gauge, v) == kOk);
    CHECK(f.M().u64(v) == 7);
    // Histogram: record only.
    CHECK(abi::record_metric(f.H(), f.M(), histogram, 42) == kOk);
    CHECK(abi::increment_metric(f.H(), f.M(), histogram, 1) == kBA);
    CHECK(abi::get_metric(f.H(), f.M(), histogram, v) == kBA);
    // Unknown ids: NotFound, except where Envoy checks the type bits first.
    CHECK(abi::increment_metric(f.H(), f.M(), counter + 400, 1) == kNF);
    CHECK(abi::increment_metric(f.H(), f.M(), gauge + 400, 1) == kNF);
    CHECK(abi::record_metric(f.H(), f.M(), counter + 400, 1) == kNF);
    CHECK(abi::record_metric(f.H(), f.M(), histogram + 400, 1) == kNF);
    CHECK(abi::get_metric(f.H(), f.M(), counter + 400, v) == kNF);
    CHECK(abi::increment_metric(f.H(), f.M(), histogram + 400, 1) == kBA);
    CHECK(abi::get_metric(f.H(), f.M(), histogram + 400, v) == kBA);
    CHECK(abi::get_metric(f.H(), f.M(), counter, kOob) == kIMA);
  });
  CHECK(f.H().counter("c") == 15u);
  CHECK(f.H().gauge("g") == 7);
  CHECK(f.H().histogram("h") == std::vector<uint64_t>{42});
}

TEST_CASE("properties: statuses, NUL-joined paths (§4.2-4.3)") {
  HostOptions o;
  o.vm_id = "the-vm";
  o.properties[std::string("node\0id", 7)] = "node-1";
  Fx f(o);
  const uint32_t root = f.H().startPlugin(PluginOptions{"rid", "", "pname"});
  f.inTick(root, [&] {
    std::string v;
    CHECK(f.getProperty("plugin_name", &v) == kOk);
    CHECK(v == "pname");
    CHECK(f.getProperty("plugin_root_id", &v) == kOk);
    CHECK(v == "rid");
    CHECK(f.getProperty(std::string("plugin_vm_id\0", 13), &v) == kOk);  // CSDK's trailing NUL
    CHECK(v == "the-vm");
    CHECK(f.getProperty(std::string("node\0id", 7), &v) == kOk);
    CHECK(v == "node-1");
    CHECK(f.getProperty(std::string("node\0id\0", 8), &v) == kOk);
    CHECK(f.getProperty("node.id") == kNF);  // dots are not separators
    CHECK(f.getProperty(std::string("request\0path", 12)) == kNF);  // no stream
    CHECK(f.setProperty("k", "v") == kNF);                        // no stream
    CHECK(abi::get_property(f.H(), f.M(), kOob, 4, f.slot(), f.slot()) == kIMA);
    auto k = f.in("k");
    CHECK(abi::set_property(f.H(), f.M(), k.p, k.n, kOob, 1) == kIMA);
  });
}

TEST_CASE("get_status: Ok on a root with no callout; IMA (§2.2)") {
  Fx f;
  const uint32_t root = f.start();
  f.inTick(root, [&] {
    uint32_t code = 99;
    std::string message = "x";
    CHECK(f.status(&code, &message) == kOk);
    CHECK(code == 0);
    CHECK(message.empty());
    CHECK(abi::get_status(f.H(), f.M(), kOob, f.slot(), f.slot()) == kIMA);
  });
}

// ---- Lifecycle and ids (§5.1-5.3) ------------------------------------------------------------

TEST_CASE("root start-up: create(root, 0), vm_start(root, vm config size), configure(root, config size)") {
  Fx f(HostOptions{"vm", "vmconfig"});
  const uint32_t a = f.start("a", "cfg-a");
  const uint32_t b = f.start("a", "config-b");  // same root id, another plugin: another root
  CHECK(a == 1);
  CHECK(b == 2);
  CHECK(f.trace() == Trace{"context_create 1 0", "vm_start 1 8", "configure 1 5", "context_create 2 0",
                           "vm_start 2 8", "configure 2 8"});
  CHECK(f.H().roots() == std::vector<uint32_t>{1, 2});
}

TEST_CASE("on_vm_start or on_configure returning 0 fails the plugin") {
  Fx f;
  f.on(Callback::VmStart, [](const std::vector<uint32_t>&) { return 0u; });
  CHECK(f.start() == 0);
  CHECK(f.H().failure().find("failed to start") != std::string::npos);
  CHECK(f.trace() == Trace{"context_create 1 0", "vm_start 1 0"});
  Fx g;
  g.on(Callback::Configure, [](const std::vector<uint32_t>&) { return 0u; });
  CHECK(g.start() == 0);
  CHECK(g.H().failure().find("rejected its configuration") != std::string::npos);
  CHECK_FALSE(g.H().failed());  // the VM itself is fine
}

TEST_CASE("absent callbacks get the host's defaults (§1.1)") {
  Fx f;
  for (Callback cb : {Callback::VmStart, Callback::Configure, Callback::RequestHeaders, Callback::Done,
                      Callback::NewConnection})
    f.s->absent.insert(cb);
  const uint32_t root = f.start();
  CHECK(root != 0);  // vm_start/configure default to true
  auto& s = f.H().newHttpStream();
  CHECK(s.sendRequestHeaders({{":path", "/"}}) == Action::Continue);
  CHECK(f.H().newConnection().newConnectionAction() == Action::Continue);
}

TEST_CASE("stream contexts: HTTP created lazily at request headers, TCP at once, parent = root") {
  Fx f;
  const uint32_t root = f.start();
  auto& s = f.H().newHttpStream();
  CHECK(f.trace().size() == 3);  // nothing yet
  CHECK(s.id() == 0);
  s.sendRequestHeaders({{":path", "/"}, {"a", "b"}}, true);
  CHECK(s.id() == 2);
  auto& c = f.H().newConnection();
  CHECK(c.id() == 3);
  CHECK(Trace(f.trace().begin() + 3, f.trace().end()) ==
        Trace{"context_create 2 " + std::to_string(root), "request_headers 2 2 1",
              "context_create 3 " + std::to_string(root), "new_connection 3"});
  // A response never reaches a stream whose request never did.
  auto& never = f.H().newHttpStream();
  CHECK(never.sendResponseHeaders({{":status", "200"}}) == Action::Continue);
  CHECK(f.trace().size() == 7);
  // Finishing it runs Envoy's access-log hook: the context is created for on_log.
  never.finish();
  CHECK(Trace(f.trace().begin() + 7, f.trace().end()) ==
        Trace{"context_create 4 " + std::to_string(root), "log 4", "done 4", "delete 4"});
}

TEST_CASE("finalization: Envoy's HTTP order, TCP order, roots without on_log (§5.3)") {
  Fx f;
  const uint32_t root = f.start();
  auto& s = f.H().newHttpStream();
  s.sendRequestHeaders({{":path", "/"}}, true);
  auto& c = f.H().newConnection();
  f.on(Callback::Done, [](const std::vector<uint32_t>&) { return 0u; });  // ignored for streams
  f.trace().clear();
  s.finish();
  c.finish();
  const std::string sid = std::to_string(s.id()), cid = std::to_string(c.id());
  CHECK(f.trace() == Trace{"log " + sid, "done " + sid, "delete " + sid, "done " + cid, "log " + cid, "delete " + cid});
  CHECK(s.finished());
  CHECK(c.finished());
  CHECK_FALSE(f.H().contextAlive(s.id()));
  f.trace().clear();
  f.s->on.erase(Callback::Done);
  f.H().shutdown();
  CHECK(f.trace() == Trace{"done " + std::to_string(root), "delete " + std::to_string(root)});
}

TEST_CASE("finalization, spec option: on_done first; false waits for proxy_done (§5.3)") {
  HostOptions o;
  o.http_finalization = Finalization::Spec;
  Fx f(o);
  const uint32_t root = f.start();
  auto& s = f.H().newHttpStream();
  s.sendRequestHeaders({{":path", "/"}}, true);
  auto& s2 = f.H().newHttpStream();
  s2.sendRequestHeaders({{":path", "/"}}, true);
  auto& c = f.H().newConnection();
  f.trace().clear();
  s.finish();
  const std::string sid = std::to_string(s.id());
  CHECK(f.trace() == Trace{"done " + sid, "log " + sid, "delete " + sid});
  // on_done false: parked until proxy_done, which may come from another callback.
  f.on(Callback::Done, [](const std::vector<uint32_t>&) { return 0u; });
  f.trace().clear();
  s2.finish();
  c.finish();
  const std::string s2id = std::to_string(s2.id()), cid = std::to_string(c.id());
  CHECK(f.trace() == Trace{"done " + s2id, "done " + cid});
  CHECK_FALSE(s2.finished());
  CHECK(f.H().contextAlive(s2.id()));
  f.trace().clear();
  f.inTick(root, [&] {
    CHECK(abi::done(f.H(), f.M()) == kNF);  // the root is not pending
    CHECK(f.effective(s2.id()) == kOk);
    CHECK(abi::done(f.H(), f.M()) == kOk);
    CHECK(abi::done(f.H(), f.M()) == kNF);  // once
    CHECK(f.effective(c.id()) == kOk);
    CHECK(abi::done(f.H(), f.M()) == kOk);
  });
  // on_log and on_delete right after the callback that called proxy_done.
  CHECK(f.trace() == Trace{"tick " + std::to_string(root), "log " + s2id, "delete " + s2id, "log " + cid,
                           "delete " + cid});
  CHECK(s2.finished());
  CHECK(c.finished());
}

TEST_CASE("a root whose on_done returns false is parked until proxy_done (§5.3)") {
  Fx f;
  const uint32_t root = f.start();
  auto& s = f.H().newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  f.on(Callback::Done, [](const std::vector<uint32_t>&) { return 0u; });
  f.inTick(root, [&] { CHECK(abi::done(f.H(), f.M()) == kNF); });  // nothing pending yet
  f.trace().clear();
  f.H().shutdown();
  const std::string r = std::to_string(root), sid = std::to_string(s.id());
  CHECK(f.trace() == Trace{"log " + sid, "done " + sid, "delete " + sid, "done " + r});  // streams first
  CHECK(f.H().contextAlive(root));
  f.s->on.erase(Callback::Done);
  // Parked roots still get ticks and callout responses.
  f.trace().clear();
  f.inTick(root, [&] {
    CHECK(f.log(2, "still here") == kOk);
    CHECK(f.effective(root) == kOk);
    CHECK(abi::done(f.H(), f.M()) == kOk);
    CHECK(abi::done(f.H(), f.M()) == kNF);
  });
  CHECK(f.trace() == Trace{"tick " + r, "delete " + r});  // on_delete right after that callback, no on_log
  CHECK_FALSE(f.H().contextAlive(root));
}

TEST_CASE("proxy_done from a stream of a parked root is NotFound (HOST looks up the context itself)") {
  Fx f;
  const uint32_t root = f.start();
  auto& s = f.H().newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  f.on(Callback::Done, [&](const std::vector<uint32_t>& a) { return a[0] == root ? 0u : 1u; });
  f.H().shutdown();  // finishes the stream, parks the root
  REQUIRE(f.H().contextAlive(root));
  f.inTick(root, [&] {
    CHECK(f.effective(s.id()) == kBA);  // the stream was finished by shutdown
  });
  auto& c = f.H().newConnection(root);  // a stream of the parked root
  f.on(Callback::DownstreamData, [&](const std::vector<uint32_t>&) {
    CHECK(abi::done(f.H(), f.M()) == kNF);
    return 0u;
  });
  c.sendDownstreamData("x");
  CHECK(f.H().contextAlive(root));
}

// ---- Traps (§5.6) ----------------------------------------------------------------------------

TEST_CASE("a trap fails the VM: HTTP gets 503 wasm_fail_stream (fail-closed), later streams too") {
  Fx f;
  f.start();
  f.on(Callback::RequestHeaders, [&](const std::vector<uint32_t>&) {
    f.s->trap = "unreachable";
    return 0u;
  });
  auto& s = f.H().newHttpStream();
  CHECK(s.sendRequestHeaders({{":path", "/"}}) == Action::Pause);
  CHECK(f.H().failed());
  CHECK(f.H().failure().find("proxy_on_request_headers") != std::string::npos);
  CHECK(f.H().failure().find("unreachable") != std::string::npos);
  REQUIRE(s.localResponse());
  CHECK(s.localResponse()->status == 503);
  CHECK(s.localResponse()->details == "wasm_fail_stream");
  CHECK(s.localResponse()->grpc_status == uint32_t(GrpcStatus::Unavailable));
  CHECK_FALSE(s.requestHeadersForwarded());
  f.s->on.clear();
  const size_t calls = f.trace().size();
  auto& later = f.H().newHttpStream();
  CHECK(later.sendRequestHeaders({{":path", "/"}}) == Action::Pause);
  REQUIRE(later.localResponse());
  CHECK(later.localResponse()->status == 503);
  CHECK(f.trace().size() == calls);  // the failed VM is not called again
  f.H().tick();
  later.finish();
  f.H().shutdown();
  CHECK(f.trace().size() == calls);
}

TEST_CASE("a trap after the response headers went downstream resets the stream") {
  Fx f;
  f.start();
  f.on(Callback::ResponseBody, [&](const std::vector<uint32_t>&) {
    f.s->trap = "boom";
    return 0u;
  });
  auto& s = f.H().newHttpStream();
  s.sendRequestHeaders({{":path", "/"}}, true);
  CHECK(s.sendResponseHeaders({{":status", "200"}}) == Action::Continue);
  CHECK(s.sendResponseBody("x", true) == Action::Pause);
  CHECK(s.reset());
  CHECK(s.resetDetails() == "wasm_fail_stream");
  CHECK_FALSE(s.localResponse());
}

TEST_CASE("a trap on a TCP connection closes it (fail-closed)") {
  Fx f;
  f.start();
  auto& c = f.H().newConnection();
  f.on(Callback::DownstreamData, [&](const std::vector<uint32_t>&) {
    f.s->trap = "boom";
    return 0u;
  });
  c.sendDownstreamData("abc");
  CHECK(c.closed());
  CHECK(f.H().failed());
  CHECK(c.forwardedDownstream().empty());
}

TEST_CASE("a trap in the allocator fails the VM and the call is IMA") {
  Fx f(HostOptions{"vm", "cfg"});
  const uint32_t root = f.start();
  f.inTick(root, [&] {
    f.s->in_allocator = [&] { f.s->trap = "out of memory"; };
    CHECK(f.getBuffer(6, 0, 10) == kIMA);
  });
  CHECK(f.H().failed());
  CHECK(f.H().failure().find("proxy_on_memory_allocate") != std::string::npos);
}

// ---- Callouts (§4.6) -------------------------------------------------------------------------

TEST_CASE("http_call: validation, token kinds, delivery to the root with maps 6/7 and buffer 4") {
  HostOptions o;
  o.clusters = std::set<std::string>{"auth"};
  Fx f(o);
  const uint32_t root = f.start();
  auto& s = f.H().newHttpStream();
  uint32_t token = 0;
  const HeaderList good{{":method", "POST"}, {":path", "/check"}, {":authority", "auth.local"}};
  f.on(Callback::RequestHeaders, [&](const std::vector<uint32_t>&) {
    CHECK(f.httpCall("nowhere", good, "", 0, nullptr) == kBA);  // unknown cluster
    CHECK(f.httpCall("auth", HeaderList{{":path", "/"}, {":authority", "a"}}, "", 0, nullptr) == kBA);
    CHECK(f.httpCall("auth", HeaderList{{":method", "GET"}, {":authority", "a"}}, "", 0, nullptr) == kBA);
    CHECK(f.httpCall("auth", HeaderList{{":method", "GET"}, {":path", "/"}}, "", 0, nullptr) == kBA);
    CHECK(f.httpCall("auth", good, "", 0x80000000u, nullptr) == kBA);  // timeout > INT32_MAX
    auto u = f.in("auth"), h = f.in(good.serialize()), e = f.in("");
    CHECK(abi::http_call(f.H(), f.M(), kOob, 4, h.p, h.n, e.p, e.n, e.p, e.n, 0, f.slot()) == kIMA);
    CHECK(abi::http_call(f.H(), f.M(), u.p, u.n, h.p, h.n, e.p, e.n, e.p, e.n, 0, kOob) == kIMA);  // nothing sent
    CHECK(f.httpCall("auth", good, "payload", 5000, &token) == kOk);
    return 1u;
  });
  s.sendRequestHeaders({{":path", "/"}});
  REQUIRE(f.H().httpCalls().size() == 1);  // only the valid one was dispatched
  const HttpCallRecord& rec = f.H().httpCalls()[0];
  CHECK(rec.token == token);
  CHECK(token % 4 == 0);
  CHECK(token >= 4);
  CHECK(rec.root_id == root);  // runs on the root of the calling stream
  CHECK(rec.upstream == "auth");
  CHECK(rec.headers.get("content-length") == std::optional<std::string_view>("7"));
  CHECK(rec.body == "payload");
  CHECK(rec.timeout_ms == 5000);
  CHECK(f.H().pendingHttpCalls() == std::vector<uint32_t>{token});

  std::string header, trailer, body, pairs;
  f.on(Callback::HttpCallResponse, [&](const std::vector<uint32_t>& a) {
    CHECK(a == std::vector<uint32_t>{root, token, 2, 4, 1});
    CHECK(f.getValue(6, ":status", &header) == kOk);
    CHECK(f.getValue(7, "grpc-status", &trailer) == kOk);
    CHECK(f.getBuffer(4, 0, 0xFFFFFFFF, &body) == kOk);
    CHECK(f.getPairs(6, &pairs) == kOk);
    // Read-only maps and buffer; no size for maps 4-7.
    CHECK(f.add(6, "x", "y") == kBA);
    CHECK(f.replace(7, "x", "y") == kBA);
    CHECK(f.remove(6, ":status") == kBA);
    CHECK(f.setPairs(6, "") == kBA);
    CHECK(f.size(6) == kBA);
    CHECK(f.setBuffer(4, 0, 0, "x") == kBA);
    // The root has no stream maps.
    CHECK(f.getValue(0, ":path") == kBA);
    return 0u;
  });
  CHECK(f.H().respondHttpCall(token, {{":status", "200"}, {"X-A", "b"}}, "okay", {{"grpc-status", "0"}}));
  CHECK(header == "200");
  CHECK(trailer == "0");
  CHECK(body == "okay");
  CHECK(pairs == HeaderList{{":status", "200"}, {"x-a", "b"}}.serialize());
  CHECK_FALSE(f.H().respondHttpCall(token, {{":status", "200"}}));  // delivered once
  // Outside the callback: maps 6/7 BA, buffer 4 NotFound.
  f.inTick(root, [&] {
    CHECK(f.getValue(6, ":status") == kBA);
    CHECK(f.getPairs(6, &pairs) == kOk);
    CHECK(pairs.empty());
    CHECK(f.getBuffer(4, 0, 10) == kNF);
  });
}

TEST_CASE("http_call failure: no headers, get_status BrokenConnection, message cleared after (§4.6)") {
  Fx f;
  const uint32_t root = f.start();
  uint32_t token = 0;
  f.inTick(root, [&] {
    CHECK(f.httpCall("c", {{":method", "GET"}, {":path", "/"}, {":authority", "a"}}, "", 0, &token) == kOk);
  });
  uint32_t code = 0;
  std::string message;
  f.on(Callback::HttpCallResponse, [&](const std::vector<uint32_t>& a) {
    CHECK(a == std::vector<uint32_t>{root, token, 0, 0, 0});
    CHECK(f.status(&code, &message) == kOk);
    CHECK(f.getValue(6, ":status") == kBA);
    CHECK(f.getBuffer(4, 0, 10) == kNF);
    return 0u;
  });
  CHECK(f.H().failHttpCall(token));
  CHECK(code == uint32_t(Status::BrokenConnection));
  CHECK(message == "reset");
  f.inTick(root, [&] {
    CHECK(f.status(&code, &message) == kOk);
    CHECK(code == uint32_t(Status::BrokenConnection));  // Envoy keeps the code
    CHECK(message.empty());                            // and clears the message
  });
  CHECK_FALSE(f.H().failHttpCall(token));
  CHECK_FALSE(f.H().failHttpCall(12345));
}

TEST_CASE("callout completions during a callback are delivered after it, never re-entrantly (§5.2)") {
  Fx f;
  const uint32_t root = f.start();
  uint32_t token = 0;
  f.inTick(root, [&] {
    CHECK(f.httpCall("c", {{":method", "GET"}, {":path", "/"}, {":authority", "a"}}, "", 0, &token) == kOk);
  });
  f.trace().clear();
  f.inTick(root, [&] {
    CHECK(f.H().respondHttpCall(token, {{":status", "204"}}));  // the test plays the network
    f.trace().push_back("tick returns");
  });
  const std::string r = std::to_string(root);
  CHECK(f.trace() == Trace{"tick " + r, "tick returns", "http_call_response " + r + " " + std::to_string(token) + " 1 0 0"});
}

TEST_CASE("gRPC: call and stream tokens, statuses, events to the root (§2.2, §4.6)") {
  HostOptions o;
  o.clusters = std::set<std::string>{"grpc"};
  Fx f(o);
  const uint32_t root = f.start();
  uint32_t call = 0, stream = 0, http = 0;
  f.inTick(root, [&] {
    CHECK(f.grpcCall("nowhere", nullptr) == st(Status::ParseFailure));
    CHECK(f.grpcStream("nowhere", nullptr) == st(Status::ParseFailure));
    auto u = f.in("grpc"), e = f.in("");
    CHECK(abi::grpc_call(f.H(), f.M(), kOob, 4, e.p, e.n, e.p, e.n, e.p, e.n, e.p, e.n, 0, f.slot()) == kIMA);
    CHECK(abi::grpc_stream(f.H(), f.M(), u.p, u.n, kOob, 1, e.p, e.n, e.p, e.n, f.slot()) == kIMA);
    CHECK(f.grpcCall("grpc", &call) == kOk);
    CHECK(f.grpcStream("grpc", &stream) == kOk);
    CHECK(f.httpCall("grpc", {{":method", "GET"}, {":path", "/"}, {":authority", "a"}}, "", 0, &http) == kOk);
    CHECK(call % 4 == 1);
    CHECK(stream % 4 == 2);
    CHECK(http % 4 == 0);
    auto m = f.in("msg");
    CHECK(abi::grpc_send(f.H(), f.M(), call, m.p, m.n, 0) == kBA);    // not a stream
    CHECK(abi::grpc_send(f.H(), f.M(), http, m.p, m.n, 0) == kBA);
    CHECK(abi::grpc_send(f.H(), f.M(), stream + 400, m.p, m.n, 0) == kNF);
    CHECK(abi::grpc_send(f.H(), f.M(), stream, kOob, 1, 0) == kIMA);
    CHECK(abi::grpc_send(f.H(), f.M(), stream, m.p, m.n, 0) == kOk);
    CHECK(abi::grpc_cancel(f.H(), f.M(), http) == kBA);  // neither a call nor a stream
    CHECK(abi::grpc_close(f.H(), f.M(), http) == kBA);
    CHECK(abi::grpc_cancel(f.H(), f.M(), 3) == kBA);
    CHECK(abi::grpc_cancel(f.H(), f.M(), call + 400) == kNF);
    CHECK(abi::grpc_close(f.H(), f.M(), stream + 400) == kNF);
  });
  REQUIRE(f.H().grpcCall(call));
  CHECK(f.H().grpcCall(call)->initial_metadata == HeaderList{{"x-md", "1"}});
  CHECK(f.H().grpcCall(call)->message == "req");
  CHECK(f.H().grpcCall(call)->timeout_ms == 1000);
  CHECK(f.H().grpcCall(stream)->sent == std::vector<std::string>{"msg"});

  // Unary reply: on_grpc_receive(root, token, size) with buffer 5.
  std::string msg;
  f.on(Callback::GrpcReceive, [&](const std::vector<uint32_t>& a) {
    CHECK(a[0] == root);
    CHECK(f.getBuffer(5, 0, 0xFFFFFFFF, &msg) == kOk);
    return 0u;
  });
  f.trace().clear();
  CHECK(f.H().respondGrpcCall(call, "reply"));
  CHECK(msg == "reply");
  CHECK(f.trace() == Trace{"grpc_receive " + std::to_string(root) + " " + std::to_string(call) + " 5"});
  CHECK_FALSE(f.H().grpcClose(call, GrpcStatus::Ok));  // the reply ended the call

  // Stream events: initial metadata (map 4), message (buffer 5), trailing (map 5), close.
  std::string md, tmd;
  uint32_t code = 0;
  std::string text;
  f.on(Callback::GrpcReceiveInitialMetadata, [&](const std::vector<uint32_t>&) {
    CHECK(f.getValue(4, "k", &md) == kOk);
    CHECK(f.add(4, "x", "y") == kBA);
    CHECK(f.size(4) == kBA);
    CHECK(f.getValue(5, "k") == kBA);
    return 0u;
  });
  f.on(Callback::GrpcReceiveTrailingMetadata, [&](const std::vector<uint32_t>&) {
    CHECK(f.getValue(5, "t", &tmd) == kOk);
    CHECK(f.remove(5, "t") == kBA);
    return 0u;
  });
  f.on(Callback::GrpcClose, [&](const std::vector<uint32_t>& a) {
    CHECK(a[2] == uint32_t(GrpcStatus::Unavailable));
    CHECK(f.status(&code, &text) == kOk);
    return 0u;
  });
  f.trace().clear();
  CHECK(f.H().grpcInitialMetadata(stream, {{"k", "v"}}));
  CHECK(f.H().grpcMessage(stream, "m1"));
  CHECK(f.H().grpcTrailingMetadata(stream, {{"t", "u"}}));
  CHECK(f.H().grpcClose(stream, GrpcStatus::Unavailable, "upstream gone"));
  const std::string r = std::to_string(root), t = std::to_string(stream);
  CHECK(f.trace() == Trace{"grpc_receive_initial_metadata " + r + " " + t + " 1", "grpc_receive " + r + " " + t + " 2",
                           "grpc_receive_trailing_metadata " + r + " " + t + " 1",
                           "grpc_close " + r + " " + t + " 14"});
  CHECK(md == "v");
  CHECK(tmd == "u");
  CHECK(msg == "m1");
  CHECK(code == 14);
  CHECK(text == "upstream gone");
  CHECK_FALSE(f.H().grpcMessage(stream, "late"));  // no more events
  // Envoy keeps a stream the plugin has not closed: its close still succeeds, once.
  f.inTick(root, [&] {
    CHECK(abi::grpc_close(f.H(), f.M(), stream) == kOk);
    CHECK(abi::grpc_close(f.H(), f.M(), stream) == kNF);
    uint32_t c = 0;
    std::string m;
    CHECK(f.status(&c, &m) == kOk);
    CHECK(c == 14);      // the code stays
    CHECK(m.empty());    // the message was cleared after on_grpc_close
  });
}

TEST_CASE("gRPC cancel and close: no further events; a unary close cancels (§2.2)") {
  Fx f;
  const uint32_t root = f.start();
  uint32_t call = 0, call2 = 0, stream = 0;
  f.inTick(root, [&] {
    CHECK(f.grpcCall("c", &call) == kOk);
    CHECK(f.grpcCall("c", &call2) == kOk);
    CHECK(f.grpcStream("c", &stream) == kOk);
    CHECK(abi::grpc_cancel(f.H(), f.M(), call) == kOk);
    CHECK(abi::grpc_cancel(f.H(), f.M(), call) == kNF);
    CHECK(abi::grpc_close(f.H(), f.M(), call2) == kOk);  // unary: close = cancel
    CHECK(abi::grpc_close(f.H(), f.M(), call2) == kNF);
    CHECK(abi::grpc_close(f.H(), f.M(), stream) == kOk);  // half-close: the remote may answer
    CHECK(abi::grpc_cancel(f.H(), f.M(), stream) == kOk);
    CHECK(abi::grpc_cancel(f.H(), f.M(), stream) == kNF);
  });
  CHECK(f.H().grpcCall(call)->cancelled);
  CHECK(f.H().grpcCall(stream)->local_closed);
  f.trace().clear();
  CHECK_FALSE(f.H().respondGrpcCall(call, "late"));
  CHECK_FALSE(f.H().grpcClose(call2, GrpcStatus::Ok));
  CHECK_FALSE(f.H().grpcMessage(stream, "late"));
  CHECK(f.trace().empty());
}

// ---- Queues, ticks (§4.5, §5.7) ---------------------------------------------------------------

TEST_CASE("queues: one on_queue_ready(root, id) per enqueue, after the callback; register moves the target") {
  Fx f;
  const uint32_t a = f.start("a"), b = f.start("b");
  uint32_t qid = 0;
  auto reg = [&](uint32_t root) {
    f.inTick(root, [&] {
      auto q = f.in("q");
      const Ptr id = f.slot();
      CHECK(abi::register_shared_queue(f.H(), f.M(), q.p, q.n, id) == kOk);
      qid = f.M().u32(id);
    });
  };
  reg(a);
  f.trace().clear();
  f.inTick(b, [&] {
    auto d = f.in("x");
    CHECK(abi::enqueue_shared_queue(f.H(), f.M(), qid, d.p, d.n) == kOk);
    CHECK(abi::enqueue_shared_queue(f.H(), f.M(), qid, d.p, d.n) == kOk);
    f.trace().push_back("tick returns");
  });
  const std::string q = std::to_string(qid);
  CHECK(f.trace() == Trace{"tick " + std::to_string(b), "tick returns", "queue_ready " + std::to_string(a) + " " + q,
                           "queue_ready " + std::to_string(a) + " " + q});
  reg(b);  // the last registrant is notified
  f.trace().clear();
  CHECK(f.H().enqueue(qid, "y"));
  CHECK(f.trace() == Trace{"queue_ready " + std::to_string(b) + " " + q});
  CHECK(f.H().queueSize(qid) == 3);
  CHECK_FALSE(f.H().enqueue(qid + 50, "z"));
}

TEST_CASE("ticks: per root, first after the period, re-armed, 0 cancels, in time order (§5.7)") {
  Fx f;
  const uint32_t a = f.start("a"), b = f.start("b");
  f.inTick(a, [&] { CHECK(abi::set_tick_period_milliseconds(f.H(), f.M(), 100) == kOk); });
  f.inTick(b, [&] { CHECK(abi::set_tick_period_milliseconds(f.H(), f.M(), 250) == kOk); });
  CHECK(f.H().tickPeriod(a) == 100);
  CHECK(f.H().tickPeriod(b) == 250);
  f.trace().clear();
  std::vector<uint64_t> at;
  f.on(Callback::Tick, [&](const std::vector<uint32_t>&) {
    at.push_back(f.H().now());
    return 0u;
  });
  const uint64_t t0 = f.H().now();
  f.H().advanceTime(99);
  CHECK(f.trace().empty());
  f.H().advanceTime(401);  // to 500 ms
  const std::string ta = "tick " + std::to_string(a), tb = "tick " + std::to_string(b);
  CHECK(f.trace() == Trace{ta, ta, tb, ta, ta, ta, tb});  // 100 200 250 300 400 500 500
  CHECK(at == std::vector<uint64_t>{t0 + 100'000'000, t0 + 200'000'000, t0 + 250'000'000, t0 + 300'000'000,
                                    t0 + 400'000'000, t0 + 500'000'000, t0 + 500'000'000});
  // From a stream, the period is its root's; 0 cancels.
  auto& c = f.H().newConnection(b);
  f.on(Callback::DownstreamData, [&](const std::vector<uint32_t>&) {
    CHECK(abi::set_tick_period_milliseconds(f.H(), f.M(), 0) == kOk);
    return 0u;
  });
  c.sendDownstreamData("x");
  CHECK(f.H().tickPeriod(b) == 0);
  CHECK(f.H().tickPeriod(a) == 100);
  f.trace().clear();
  f.H().advanceTime(1000);
  CHECK(f.trace().size() == 10);  // a only
}
