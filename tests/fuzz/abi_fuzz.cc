// libFuzzer: the host's import layer (host/include/proxy_wasm/host/abi_adapter.h, the code
// the engine binds every proxy_* import to) fed random pointers, sizes, enum values and
// ids over a wasm32 linear memory, the way a buggy or hostile module would call it. Every
// adapter of forEachHostFunction is reachable; calls run inside a stream's request-headers
// callback (maps, buffers and a current context exist), inside a root tick, and outside any
// callback. Oracles: no crash, no ASan/UBSan report, no leak, and every answer is either a
// trap (a refused call) or a status the ABI list allows for that function.
#include <proxy_wasm/host/abi_adapter.h>
#include <proxy_wasm/host/guest.h>
#include <proxy_wasm/host/host.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace {

using namespace proxy_wasm;
using namespace proxy_wasm::host;

// A wasm32 linear memory: 64 KiB, [1 KiB, 5 KiB) the input's bytes, [32 KiB, 64 KiB) the
// guest's bump allocator.
constexpr uint32_t kMemorySize = 1u << 16, kDataStart = 1024, kDataSize = 4096, kHeapStart = 1u << 15;

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
  bool writeWord(Ptr p, uint64_t v) { return v <= 0xFFFFFFFFull && writeU32(p, uint32_t(v)); }
};

class Input {
 public:
  Input(const uint8_t* d, size_t n) : p_(d), end_(d + n) {}
  bool empty() const { return p_ == end_; }
  uint8_t byte() { return p_ < end_ ? *p_++ : 0; }
  uint32_t u32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t(byte()) << (8 * i);
    return v;
  }
  uint64_t u64() { return uint64_t(u32()) | (uint64_t(u32()) << 32); }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

// An i32 argument: a small number (enum values, ids, sizes), a pointer into the input's
// bytes, into the heap, near the end of memory, or anything.
template <class A>
A arg(Input& in) {
  if constexpr (sizeof(A) == 8) {
    return A(in.u64());
  } else {
    const uint8_t how = in.byte();
    switch (how % 6) {
      case 0: return A(how / 6);  // 0..42
      case 1: return A(kDataStart + in.byte() * 16);
      case 2: return A(in.byte());
      case 3: return A(kHeapStart + uint32_t(in.byte()) * 64);
      case 4: return A(kMemorySize - (how & 15));
      default: return A(in.u32());
    }
  }
}

using Caller = std::function<uint32_t(Model&, Mem&, Input&)>;

template <class... A>
Caller caller(uint32_t (*f)(Model&, Mem&, A...)) {
  return [f](Model& h, Mem& m, Input& in) {
    std::tuple<A...> args{arg<A>(in)...};  // braced: evaluated left to right
    return std::apply([&](A... a) { return f(h, m, a...); }, args);
  };
}

struct Fn {
  const char* name;
  uint32_t mask;
  Caller call;
};

const std::vector<Fn>& functions() {
  static const std::vector<Fn> list = [] {
    std::vector<Fn> out;
    abi::forEachHostFunction<Mem>([&](const char* name, auto fn) { out.push_back({name, Host::statusMask(name), caller(fn)}); });
    return out;
  }();
  return list;
}

struct State {
  Mem mem;
  uint32_t heap = kHeapStart;
  bool alloc_fails = false;
  Input* in = nullptr;
  Model* model = nullptr;  // what the adapter calls act on
  int budget = 0;  // calls left for this input
};

void runCalls(State& s, int n) {
  for (int i = 0; i < n && s.budget > 0 && !s.in->empty(); ++i, --s.budget) {
    const uint8_t which = s.in->byte();
    if (which == 0xFF) {
      s.alloc_fails = !s.alloc_fails;
      continue;
    }
    const Fn& f = functions()[which % functions().size()];
    const uint32_t r = f.call(*s.model, s.mem, *s.in);
    if (r != abi::kTrap && (r >= 32 || !(f.mask & (1u << r)))) {
      std::fprintf(stderr, "%s returned status %u, outside its ABI mask 0x%x\n", f.name, r, f.mask);
      std::abort();
    }
  }
}

class FuzzGuest final : public Guest {
 public:
  explicit FuzzGuest(State* s) : s_(s) {}
  bool has(Callback cb) const override { return cb != Callback::Initialize; }
  std::string describe() const override { return "abi fuzz guest"; }
  CallResult call(Callback cb, std::initializer_list<uint32_t> list) override {
    CallResult r;
    if (cb == Callback::MemoryAllocate) {
      const uint32_t size = *list.begin();
      if (s_->alloc_fails) return r;  // 0: failure
      if (s_->heap + uint64_t(size) > kMemorySize) s_->heap = kHeapStart;
      if (s_->heap + uint64_t(size) > kMemorySize) return r;
      r.value = s_->heap;
      s_->heap += (size + 8) & ~7u;
      return r;
    }
    if (cb == Callback::RequestHeaders || cb == Callback::Tick || cb == Callback::HttpCallResponse ||
        cb == Callback::ResponseBody)
      runCalls(*s_, 16);
    r.value = (cb == Callback::VmStart || cb == Callback::Configure || cb == Callback::Done) ? 1 : 0;
    return r;
  }

 private:
  State* s_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  auto state = std::make_unique<State>();
  state->in = &in;
  state->budget = 256;
  // The input's first bytes become plugin memory the pointers may land in.
  const size_t n = size < kDataSize ? size : kDataSize / 4;
  std::memcpy(state->mem.bytes.data() + kDataStart, data, n);
  HostOptions options;
  options.record_host_calls = false;
  options.properties["p"] = std::string(reinterpret_cast<const char*>(data), n < 64 ? n : 64);
  Host host(std::make_unique<FuzzGuest>(state.get()), options);
  state->model = &host.model();
  const uint32_t root = host.startPlugin({"r", "cfg"});
  runCalls(*state, 8);  // outside any callback
  auto& stream = host.newHttpStream(root);
  stream.sendRequestHeaders({{":path", "/"}, {":method", "GET"}, {"x-a", "1"}});
  host.tick(root);
  for (uint32_t token : host.pendingHttpCalls()) host.respondHttpCall(token, {{":status", "200"}}, "body");
  stream.sendResponseHeaders({{":status", "200"}});
  stream.sendResponseBody("response", true);
  runCalls(*state, 1 << 20);
  host.shutdown();
  return 0;
}
