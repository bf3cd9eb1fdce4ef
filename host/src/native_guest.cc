// The native guest: calls the plugin's exports directly and implements every `proxy_*`
// import as a C function over the host model, with pointers read in place.
#include <cstring>
#include <type_traits>
#include <utility>
#include <exception>
#include <string>

#include "proxy_wasm/abi/v0_2_1.h"
#include "proxy_wasm/host/abi_adapter.h"
#include "proxy_wasm/host/model.h"
#include "proxy_wasm/host/native.h"

// The plugin's exports (defined by the SDK's exports.h in the plugin's objects), declared
// from the ABI list.
extern "C" {
#define PROXY_WASM_DECLARE_EXPORT(name, result, params, args) result name params;
PROXY_WASM_ABI_V0_2_1_EXPORTS(PROXY_WASM_DECLARE_EXPORT)
#undef PROXY_WASM_DECLARE_EXPORT
void proxy_wasm_native_reset();
}

namespace proxy_wasm::host {
namespace {

Model* g_model = nullptr;
// Native guests alive: the plugin's objects (and the SDK's state) exist once per process, so
// a fresh host gets a fresh SDK state only when no other native host is alive (a test that
// replaces its host, `host = makeHost()`, builds the new one before the old one goes; the
// old one's contexts are then retired by id as the new host reuses the ids).
int g_native_guests = 0;

// A trap of the natively linked plugin (proxy_wasm::fatal, a trapping runtime hook):
// thrown by proxy_wasm_native_trap and caught where the host called into the plugin, as
// an engine unwinds a trapping module to its caller.
struct NativeTrap {
  std::string message;
};

// Plugin memory is this process's memory: pointers are read in place. A null pointer
// with a non-zero size is refused (InvalidMemoryAccess), as a host would refuse an
// out-of-bounds one.
struct NativeMemory {
  using Ptr = uintptr_t;
  std::optional<std::string_view> read(Ptr p, Ptr n) {
    if (n == 0) return std::string_view();
    if (p == 0) return std::nullopt;
    return std::string_view(reinterpret_cast<const char*>(p), size_t(n));
  }
  bool write(Ptr p, std::string_view bytes) {
    if (p == 0) return bytes.empty();
    std::memcpy(reinterpret_cast<void*>(p), bytes.data(), bytes.size());
    return true;
  }
  bool writeU32(Ptr p, uint32_t v) {
    if (p == 0) return false;
    std::memcpy(reinterpret_cast<void*>(p), &v, sizeof v);
    return true;
  }
  bool writeU64(Ptr p, uint64_t v) {
    if (p == 0) return false;
    std::memcpy(reinterpret_cast<void*>(p), &v, sizeof v);
    return true;
  }
  bool writeWord(Ptr p, uint64_t v) {
    if (p == 0) return false;
    const uintptr_t w = uintptr_t(v);
    std::memcpy(reinterpret_cast<void*>(p), &w, sizeof w);
    return true;
  }
};

// An import's argument as the adapter takes it: pointers as addresses; integers as they are.
template <class T>
auto asArgument(T v) {
  if constexpr (std::is_pointer_v<T>) {
    return reinterpret_cast<uintptr_t>(v);
  } else {
    return v;
  }
}

// Forwards an import to the adapter. A call the host would trap on is recorded by the
// host model (violations()) and answered with InternalFailure: a native process cannot
// trap and continue.
template <class... Args, class... Given>
uint32_t forward(uint32_t (*fn)(Model&, NativeMemory&, Args...), Given... given) {
  static_assert(sizeof...(Args) == sizeof...(Given), "the adapter and the ABI list disagree");
  if (!g_model) return Status(Status::InternalFailure).code();
  NativeMemory m;
  const uint32_t r = fn(*g_model, m, Args(asArgument(given))...);
  return r == abi::kTrap ? Status(Status::InternalFailure).code() : r;
}

// forwarder(fn)(args...) is forward(fn, args...): lets the import definitions below pass
// the ABI list's parenthesized argument names as they are (even when empty).
template <class Fn>
auto forwarder(Fn fn) {
  return [fn](auto... given) { return forward(fn, given...); };
}

// Calls export `f` with the i32 arguments `a`, as the ABI list declares it.
template <class R, class... P, size_t... I>
CallResult invokeExport(R (*f)(P...), const uint32_t* a, std::index_sequence<I...>) {
  CallResult r;
  if constexpr (std::is_void_v<R>) {
    f(P(a[I])...);
  } else if constexpr (std::is_pointer_v<R>) {
    r.value = reinterpret_cast<uintptr_t>(f(P(a[I])...));  // the allocator: 64-bit natively
  } else {
    r.value = f(P(a[I])...);
  }
  return r;
}
template <class R, class... P>
CallResult invokeExport(R (*f)(P...), const uint32_t* a) {
  return invokeExport(f, a, std::index_sequence_for<P...>{});
}

using ExportInvoker = CallResult (*)(const uint32_t*);
// Indexed by Callback minus one (Callback::Initialize is not an export here): the
// Callback enum follows the list's order (guest.h checks it).
const ExportInvoker kExports[] = {
#define PROXY_WASM_EXPORT_INVOKER(name, result, params, args) [](const uint32_t* a) { return invokeExport(&::name, a); },
    PROXY_WASM_ABI_V0_2_1_EXPORTS(PROXY_WASM_EXPORT_INVOKER)
#undef PROXY_WASM_EXPORT_INVOKER
};
static_assert(sizeof(kExports) / sizeof(kExports[0]) + 1 == static_cast<size_t>(Callback::Count_));

class NativeGuest final : public Guest {
 public:
  NativeGuest() { ++g_native_guests; }
  ~NativeGuest() override {
    --g_native_guests;
    if (g_model == model_) g_model = nullptr;
  }
  void attach(Model& model) override {
    model_ = &model;
    g_model = &model;
    if (g_native_guests == 1) proxy_wasm_native_reset();  // a fresh SDK state for a fresh host
  }
  bool has(Callback cb) const override { return cb != Callback::Initialize; }  // static init already ran
  std::string describe() const override { return "native plugin"; }

  CallResult call(Callback cb, std::initializer_list<uint32_t> list) override {
    g_model = model_;
    try {
      return dispatch(cb, list.begin());
    } catch (const NativeTrap& trap) {
      CallResult r;
      r.ok = false;
      r.error = "trap: " + trap.message;
      return r;
    }
  }

 private:
  CallResult dispatch(Callback cb, const uint32_t* a) {
    if (cb == Callback::Initialize) return {};  // static initialization already ran
    if (cb >= Callback::Count_) return CallResult{false, 0, "no such callback"};
    return kExports[static_cast<uint32_t>(cb) - 1](a);
  }

  Model* model_ = nullptr;
};

}  // namespace

std::unique_ptr<Guest> nativeGuest() { return std::make_unique<NativeGuest>(); }

}  // namespace proxy_wasm::host

// ---- The imports ------------------------------------------------------------------------------

using proxy_wasm::host::forwarder;
using proxy_wasm::host::NativeMemory;
namespace abi = proxy_wasm::host::abi;

extern "C" {

[[noreturn]] void proxy_wasm_native_trap(const char* message, size_t size) {
  throw proxy_wasm::host::NativeTrap{std::string(message, size)};
}

// Each import of the ABI list: `uint32_t proxy_log(uint32_t level, ...)` calls
// forwarder(&abi::proxy_log<NativeMemory>)(level, message, size).
#define PROXY_WASM_DEFINE_IMPORT(name, params, args, statuses) \
  uint32_t name params { return forwarder(&abi::name<NativeMemory>) args; }
PROXY_WASM_ABI_V0_2_1_IMPORTS(PROXY_WASM_DEFINE_IMPORT)
#undef PROXY_WASM_DEFINE_IMPORT

}  // extern "C"
