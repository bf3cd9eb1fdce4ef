// Fault injection: injected statuses for host functions, failing allocations, callbacks
// delivered whatever the host's state (host.h, "Driver: fault injection").
#include <algorithm>
#include <stdexcept>

#include "proxy_wasm/host/host.h"

namespace proxy_wasm::host {

namespace {

constexpr uint32_t bit(Status s) { return 1u << static_cast<uint32_t>(s); }
constexpr uint32_t kOk = bit(Status::Ok), kNF = bit(Status::NotFound), kBA = bit(Status::BadArgument),
                   kIMA = bit(Status::InvalidMemoryAccess), kIF = bit(Status::InternalFailure);

// The statuses each host function can return, per the ABI and Envoy's implementation.
struct StatusMask {
  const char* function;
  uint32_t mask;
};
constexpr StatusMask kStatusMasks[] = {
    {"proxy_log", kOk | kBA | kIMA},
    {"proxy_get_log_level", kOk | kIMA},
    {"proxy_get_current_time_nanoseconds", kOk | kIMA},
    {"proxy_set_tick_period_milliseconds", kOk},
    {"proxy_done", kOk | kNF},
    {"proxy_set_effective_context", kOk | kBA},
    // A foreign function's own status reaches the plugin unchanged: any status.
    {"proxy_call_foreign_function", 0x1FFFu & ~bit(Status::BadExpression) & ~bit(Status::ResultMismatch)},
    {"proxy_get_buffer_bytes", kOk | kBA | kNF | kIMA},
    {"proxy_set_buffer_bytes", kOk | kBA | kNF | kIMA},
    {"proxy_get_buffer_status", kOk | kBA | kNF | kIMA},
    {"proxy_get_header_map_size", kOk | kBA | kIMA},
    {"proxy_get_header_map_pairs", kOk | kBA | kIMA},
    {"proxy_set_header_map_pairs", kOk | kBA | kIMA},
    {"proxy_get_header_map_value", kOk | kBA | kNF | kIMA},
    {"proxy_add_header_map_value", kOk | kBA | kIMA},
    {"proxy_replace_header_map_value", kOk | kBA | kIMA},
    {"proxy_remove_header_map_value", kOk | kBA | kIMA},
    {"proxy_continue_stream", kOk | kBA | bit(Status::Unimplemented)},
    {"proxy_close_stream", kOk | kBA},
    {"proxy_send_local_response", kOk | kIMA},
    {"proxy_get_status", kOk | kIMA},
    {"proxy_http_call", kOk | kBA | kIF | kIMA},
    {"proxy_grpc_call", kOk | bit(Status::ParseFailure) | kBA | kIF | kIMA},
    {"proxy_grpc_stream", kOk | bit(Status::ParseFailure) | kBA | kIF | kIMA},
    {"proxy_grpc_send", kOk | kBA | kNF | kIMA},
    {"proxy_grpc_cancel", kOk | kBA | kNF},
    {"proxy_grpc_close", kOk | kBA | kNF},
    {"proxy_get_shared_data", kOk | kNF | kIMA},
    {"proxy_set_shared_data", kOk | bit(Status::CasMismatch) | kIMA},
    {"proxy_register_shared_queue", kOk | kIMA},
    {"proxy_resolve_shared_queue", kOk | kNF | kIMA},
    {"proxy_enqueue_shared_queue", kOk | kNF | kIMA},
    {"proxy_dequeue_shared_queue", kOk | kNF | bit(Status::Empty) | kIMA},
    {"proxy_define_metric", kOk | kBA | kIMA},
    {"proxy_increment_metric", kOk | kNF | kBA},
    {"proxy_record_metric", kOk | kNF},
    {"proxy_get_metric", kOk | kNF | kBA | kIMA},
    {"proxy_get_property", kOk | kNF | bit(Status::SerializationFailure) | kIF | kIMA},
    {"proxy_set_property", kOk | kNF | kBA | kIMA},
};

const char* statusName(uint32_t code) {
  static const char* const kNames[] = {"Ok",           "NotFound",       "BadArgument",         "SerializationFailure",
                                       "ParseFailure", "BadExpression",  "InvalidMemoryAccess", "Empty",
                                       "CasMismatch",  "ResultMismatch", "InternalFailure",     "BrokenConnection",
                                       "Unimplemented"};
  return code < sizeof(kNames) / sizeof(kNames[0]) ? kNames[code] : "an unknown status";
}

std::string statusList(uint32_t mask) {
  std::string out;
  for (uint32_t code = 0; code < 32; ++code) {
    if (!(mask & (1u << code))) continue;
    if (!out.empty()) out += ", ";
    out += statusName(code);
  }
  return out;
}

}  // namespace

uint32_t Host::statusMask(std::string_view function) {
  for (const StatusMask& m : kStatusMasks)
    if (function == m.function) return m.mask;
  return 0;
}

void Host::injectStatus(std::string_view function, Status status, FaultSchedule when) {
  const uint32_t mask = statusMask(function);
  const std::string where = "injectStatus(" + std::string(function) + ", " + statusName(uint32_t(status)) + "): ";
  if (mask == 0) throw std::invalid_argument(where + "no host function of ABI v0.2.1 has this name");
  if (status == Status::Ok)
    throw std::invalid_argument(where + "Ok is what the host returns when it runs the call; inject a failure (" +
                                statusList(mask & ~1u) + ")");
  if (uint32_t(status) >= 32 || !(mask & (1u << uint32_t(status)))) {
    throw std::invalid_argument(where + "per the ABI and Envoy, " + std::string(function) + " returns only " +
                                statusList(mask));
  }
  if (when.skip == uint32_t(-1)) throw std::invalid_argument(where + "FaultSchedule::nth counts from 1");
  faults_.push_back(Fault{std::string(function), uint32_t(status), when, 0});
}

void Host::failAllocations(FaultSchedule when) {
  if (when.skip == uint32_t(-1)) throw std::invalid_argument("failAllocations: FaultSchedule::nth counts from 1");
  faults_.push_back(Fault{std::string(), 0, when, 0});
}

void Host::clearFaults() { faults_.clear(); }

// Counts one call against `f`; true when this call is one the fault selects.
bool Host::faultDue(Fault& f) {
  const uint32_t index = f.seen++;
  if (index < f.when.skip) return false;
  return f.when.count == 0 || index - f.when.skip < f.when.count;
}

std::optional<uint32_t> Host::injectedStatus(std::string_view name) {
  if (faults_.empty()) return std::nullopt;
  std::optional<uint32_t> result;
  for (Fault& f : faults_) {
    if (f.function != name) continue;
    if (faultDue(f) && !result) result = f.status;
  }
  // Spent faults go.
  faults_.erase(std::remove_if(faults_.begin(), faults_.end(),
                               [](const Fault& f) {
                                 return f.when.count != 0 && f.seen >= f.when.skip + f.when.count;
                               }),
                faults_.end());
  if (result) injected_ = true;
  return result;
}

bool Host::allocationFails() {
  if (faults_.empty()) return false;
  bool fails = false;
  for (Fault& f : faults_)
    if (f.function.empty() && faultDue(f)) fails = true;
  faults_.erase(std::remove_if(faults_.begin(), faults_.end(),
                               [](const Fault& f) {
                                 return f.when.count != 0 && f.seen >= f.when.skip + f.when.count;
                               }),
                faults_.end());
  return fails;
}

std::optional<uint32_t> Host::deliverCallback(Callback cb, std::initializer_list<uint32_t> args) {
  const CallbackInfo& info = callbackInfo(cb);
  if (cb == Callback::Initialize || cb == Callback::MemoryAllocate || cb == Callback::Count_)
    throw std::invalid_argument(std::string("deliverCallback: ") + info.export_name +
                                " is not a context callback (the host calls it itself)");
  if (args.size() != info.params) {
    throw std::invalid_argument(std::string("deliverCallback: ") + info.export_name + " takes " +
                                std::to_string(info.params) + " arguments, not " + std::to_string(args.size()));
  }
  auto r = call(cb, *args.begin(), args);
  runDeferred();
  return r;
}

}  // namespace proxy_wasm::host
