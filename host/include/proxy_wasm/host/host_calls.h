// What the host model records of the plugin's calls into it, and the faults a test can
// inject into them: the log (LogEntry), the host-call record (HostCall, one per host
// function call, refused and injected ones included) and when an injected fault applies
// (FaultSchedule). Read through Host::logs(), Host::hostCalls(); faults through
// Host::injectStatus() and Host::failAllocations(). Kept by the model (model.cc: the
// record, faults.cc: the faults).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "proxy_wasm/status.h"
#include "proxy_wasm/types.h"
#include "proxy_wasm/host/guest.h"

namespace proxy_wasm::host {

struct LogEntry {
  LogLevel level;
  std::string message;
  uint32_t context_id;  // the effective context when logged (0: VM)
};

// One host function call the plugin made, as the host model saw it (Host::hostCalls()).
struct HostCall {
  std::string function;           // wire name, e.g. "proxy_get_header_map_value"
  uint32_t context_id = 0;        // the effective context the host acted on (0: none, e.g. start-up)
  uint32_t current_context_id = 0;  // the context of the callback that was running
  // The callback that was running: Callback::Initialize during module start-up,
  // Callback::MemoryAllocate inside the allocator; empty when no callback was running (a
  // native test calling the ABI directly).
  std::optional<Callback> callback;
  Status status = Status::Ok;     // what the plugin got back
  // The host refused the call (a restricted phase): an engine traps, as Envoy does, and a
  // native plugin gets InternalFailure (the status recorded).
  bool refused = false;
  // The status was injected (Host::injectStatus): the host did not run the call.
  bool injected = false;
};

// When an injected fault applies, counting the calls (or allocations) from the moment it
// is injected.
struct FaultSchedule {
  uint32_t skip = 0;   // calls that run normally first
  uint32_t count = 1;  // calls that fail then; 0: every call from then on
  static FaultSchedule once() { return {0, 1}; }                // the next call
  static FaultSchedule always() { return {0, 0}; }              // every call from now on
  static FaultSchedule nth(uint32_t n) { return {n - 1, 1}; }   // only the nth call (1: the next)
};

}  // namespace proxy_wasm::host
