// The plugin as a host sees it: callbacks to call and memory to allocate in. One host
// model (model.h) drives either way in: a plugin linked natively (native_guest.cc) or a
// .wasm module in an engine (engine/).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "proxy_wasm/abi/v0_2_1.h"

namespace proxy_wasm::host {

class Model;

// Every callback a v0.2.1 host may call: _initialize, then the exports of the ABI list
// (abi.h) in the list's order (callbackInfo() checks the count; the host tests check
// every name).
enum class Callback : uint32_t {
  Initialize,  // _initialize
  MemoryAllocate,
  ContextCreate,
  VmStart,
  Configure,
  Tick,
  QueueReady,
  ForeignFunction,
  NewConnection,
  DownstreamData,
  UpstreamData,
  DownstreamConnectionClose,
  UpstreamConnectionClose,
  RequestHeaders,
  RequestBody,
  RequestTrailers,
  ResponseHeaders,
  ResponseBody,
  ResponseTrailers,
  HttpCallResponse,
  GrpcReceiveInitialMetadata,
  GrpcReceive,
  GrpcReceiveTrailingMetadata,
  GrpcClose,
  Done,
  Log,
  Delete,
  Count_,
};

struct CallbackInfo {
  const char* export_name;
  uint8_t params;     // all i32
  bool has_result;    // i32 result
};

namespace detail {
template <class F>
struct Arity;
template <class R, class... P>
struct Arity<R(P...)> {
  static constexpr uint8_t value = sizeof...(P);
};
}  // namespace detail

// Export name and signature of each callback, from the ABI list (abi.h): _initialize,
// then the list's exports in their order, which Callback follows.
inline const CallbackInfo& callbackInfo(Callback cb) {
  static const CallbackInfo kInfo[] = {
      {"_initialize", 0, false},
#define PROXY_WASM_CALLBACK_INFO(name, result, params, args) \
  {#name, detail::Arity<void params>::value, !std::is_void_v<result>},
      PROXY_WASM_ABI_V0_2_1_EXPORTS(PROXY_WASM_CALLBACK_INFO)
#undef PROXY_WASM_CALLBACK_INFO
  };
  static_assert(sizeof(kInfo) / sizeof(kInfo[0]) == static_cast<size_t>(Callback::Count_),
                "Callback has one value per export of the ABI list, plus Initialize");
  return kInfo[static_cast<uint32_t>(cb)];
}

// Outcome of calling into the plugin.
struct CallResult {
  bool ok = true;        // false: the plugin trapped (or could not be called)
  uint64_t value = 0;    // the i32 result (the allocator: an address, 64-bit natively)
  std::string error;     // why it failed
};

class Guest {
 public:
  virtual ~Guest() = default;
  // Whether the plugin exports `cb` (an absent callback gets the host's default).
  virtual bool has(Callback cb) const = 0;
  // Calls `cb` with i32 arguments.
  virtual CallResult call(Callback cb, std::initializer_list<uint32_t> args) = 0;
  // A short description for messages ("native plugin", "module.wasm").
  virtual std::string describe() const = 0;
  // Called once by the Model that will drive this guest, before any call: the guest
  // connects the plugin's imports to it (the model's host functions).
  virtual void attach(Model& model) { (void)model; }
  // The size of the plugin's linear memory in bytes (a .wasm in an engine); 0 when the
  // plugin has none of its own (natively linked).
  virtual uint64_t memoryBytes() const { return 0; }
};

}  // namespace proxy_wasm::host
