// Fault injection: injected statuses for host functions (allowed per the ABI list's status
// masks), failing allocations, callbacks delivered whatever the host's state (FaultSchedule
// in host_calls.h; the driver's "Fault injection" in host.h).
#include <algorithm>
#include <stdexcept>

#include "proxy_wasm/host/model.h"

namespace proxy_wasm::host {

namespace {

std::string statusName(uint32_t code) { return std::string(Status(static_cast<Status::Code>(code)).name()); }

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

uint32_t Model::statusMask(std::string_view function) {
  using namespace proxy_wasm::wire;  // the list's status bits
#define PROXY_WASM_STATUS_MASK(name, params, args, statuses) \
  if (function == #name) return statuses;
  PROXY_WASM_ABI_V0_2_1_IMPORTS(PROXY_WASM_STATUS_MASK)
#undef PROXY_WASM_STATUS_MASK
  return 0;
}

void Model::injectStatus(std::string_view function, Status status, FaultSchedule when) {
  const uint32_t mask = statusMask(function);
  // The message is built only for a refused fault (the fuzzers inject thousands a second).
  const auto refuse = [&](const std::string& why) {
    throw std::invalid_argument("injectStatus(" + std::string(function) + ", " + statusName(status.code()) + "): " + why);
  };
  if (mask == 0) refuse("no host function of ABI v0.2.1 has this name");
  if (status == Status::Ok)
    refuse("Ok is what the host returns when it runs the call; inject a failure (" + statusList(mask & ~1u) + ")");
  if (status.code() >= 32 || !(mask & (1u << status.code())))
    refuse("per the ABI and Envoy, " + std::string(function) + " returns only " + statusList(mask));
  if (when.skip == uint32_t(-1)) refuse("FaultSchedule::nth counts from 1");
  faults_.push_back(Fault{std::string(function), status.code(), when, 0});
}

void Model::failAllocations(FaultSchedule when) {
  if (when.skip == uint32_t(-1)) throw std::invalid_argument("failAllocations: FaultSchedule::nth counts from 1");
  faults_.push_back(Fault{std::string(), 0, when, 0});
}

void Model::clearFaults() { faults_.clear(); }

// Counts one call against `f`; true when this call is one the fault selects.
bool Model::faultDue(Fault& f) {
  const uint32_t index = f.seen++;
  if (index < f.when.skip) return false;
  return f.when.count == 0 || index - f.when.skip < f.when.count;
}

std::optional<uint32_t> Model::injectedStatus(std::string_view name) {
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

bool Model::allocationFails() {
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

std::optional<uint32_t> Model::deliverCallback(Callback cb, std::initializer_list<uint32_t> args) {
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
