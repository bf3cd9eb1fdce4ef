// The engine's Guest: a module in wabt's interpreter. Every import is bound through the
// tables in abi_tables.cc (the proxy_* ones to the host model's ABI adapters), and
// callbacks run on one interpreter thread, re-entered when a host function calls the
// module's allocator.
#include "proxy_wasm/engine/wasm_guest.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <optional>

#include "abi_tables.h"
#include "proxy_wasm/host/abi_adapter.h"
#include "wasm_memory.h"

namespace proxy_wasm::engine {
namespace {

namespace wi = wabt::interp;
using host::Callback;
using host::CallResult;

class WasmGuest final : public host::Guest {
 public:
  explicit WasmGuest(std::string name) : name_(std::move(name)) {}

  bool load(const std::vector<uint8_t>& bytes, std::string* error);

  bool has(Callback cb) const override {
    if (cb == Callback::Initialize) return bool(initialize_) || bool(start_);
    return cb < Callback::Count_ && bool(callbacks_[size_t(cb)]);
  }
  CallResult call(Callback cb, std::initializer_list<uint32_t> args) override;
  std::string describe() const override { return name_; }
  void attach(host::Host& host) override { host_ = &host; }
  uint64_t memoryBytes() const override { return memory_ ? memory_->ByteSize() : 0; }

 private:
  // Which restricted phase the module is in (ABI.md §2.5).
  enum class Phase { Running, Startup, Allocator };
  // Argument and result vectors of one nesting level, reused across calls.
  struct Slot {
    wi::Values params, results;
  };

  CallResult startup();
  CallResult invoke(const wi::Func::Ptr& func, const uint32_t* args, size_t count, Phase phase);
  wabt::Result hostCall(const ImportSpec& spec, const wi::Values& params, wi::Values& results,
                        wi::Trap::Ptr* out_trap);
  wabt::Result trap(wi::Trap::Ptr* out_trap, const std::string& message) {
    *out_trap = wi::Trap::New(store_, message);
    return wabt::Result::Error;
  }
  std::string restricted(const ImportSpec& spec) const;

  std::string name_;
  wi::Store store_;  // first: every object below lives in it
  wi::Module::Ptr module_;
  wi::Instance::Ptr instance_;
  wi::Memory::Ptr memory_;
  std::array<wi::Func::Ptr, size_t(Callback::Count_)> callbacks_;
  wi::Func::Ptr initialize_, start_, main_, main_void_;
  std::unique_ptr<wi::Thread> thread_;
  std::deque<Slot> slots_;  // a deque: growing it keeps the outer levels' references valid
  size_t depth_ = 0;
  Phase phase_ = Phase::Running;
  // A trap inside a nested call (the allocator under a host function): the host function
  // must trap too, so the suspended module never resumes on a half-unwound thread.
  std::optional<std::string> pending_trap_;
  host::Host* host_ = nullptr;
};

bool WasmGuest::load(const std::vector<uint8_t>& bytes, std::string* error) {
  wi::ModuleDesc desc;
  if (!parseModule(bytes.data(), bytes.size(), name_, &desc, error)) return false;
  if (std::string problem = checkModule(desc); !problem.empty()) {
    *error = std::move(problem);
    return false;
  }
  module_ = wi::Module::New(store_, std::move(desc));

  wi::RefVec imports;
  for (const wi::ImportType& import : module_->import_types()) {
    switch (import.type->kind) {
      case wi::ExternKind::Func: {
        const ImportSpec* spec = findImport(import.module, import.name);  // checked above
        auto func = wi::HostFunc::New(
            store_, spec->type,
            [this, spec](wi::Thread&, const wi::Values& params, wi::Values& results, wi::Trap::Ptr* out_trap) {
              return hostCall(*spec, params, results, out_trap);
            });
        imports.push_back(func.ref());
        break;
      }
      case wi::ExternKind::Memory:
        imports.push_back(wi::Memory::New(store_, *wabt::cast<wi::MemoryType>(import.type.get())).ref());
        break;
      case wi::ExternKind::Table:
        imports.push_back(wi::Table::New(store_, *wabt::cast<wi::TableType>(import.type.get())).ref());
        break;
      default:
        *error = "Failed to load Wasm module due to a missing import: " + import.module + "." + import.name;
        return false;
    }
  }

  wi::Trap::Ptr trap;
  instance_ = wi::Instance::Instantiate(store_, module_.ref(), imports, &trap);
  if (!instance_) {
    *error = "Failed to instantiate Wasm module: " + (trap ? trap->message() : std::string("unknown error"));
    return false;
  }
  memory_ = wi::Memory::Ptr(store_, instance_->memories().at(0));

  // Cache every recognised export once; calls index this table.
  wi::Func::Ptr malloc_export;
  const auto& types = module_->export_types();
  for (size_t i = 0; i < types.size(); ++i) {
    if (types[i].type->kind != wi::ExternKind::Func) continue;
    const std::string& export_name = types[i].name;
    const ExportSpec* spec = findExport(export_name);
    if (!spec) continue;
    wi::Func::Ptr func(store_, instance_->exports()[i]);
    if (export_name == "_initialize") {
      initialize_ = func;
    } else if (export_name == "_start") {
      start_ = func;
    } else if (export_name == "main") {
      main_ = func;
    } else if (export_name == "__main_void") {
      main_void_ = func;
    } else if (export_name == "malloc") {
      malloc_export = func;
    } else if (spec->callback) {
      callbacks_[size_t(*spec->callback)] = func;
    }
  }
  // The spec's allocator first, malloc as the fallback (ABI.md §1.1).
  if (!callbacks_[size_t(Callback::MemoryAllocate)]) callbacks_[size_t(Callback::MemoryAllocate)] = malloc_export;
  thread_ = std::make_unique<wi::Thread>(store_);
  return true;
}

CallResult WasmGuest::call(Callback cb, std::initializer_list<uint32_t> args) {
  if (cb == Callback::Initialize) return startup();
  if (!has(cb)) {
    CallResult r;
    r.ok = false;
    r.error = name_ + " does not export " + (cb < Callback::Count_ ? host::callbackInfo(cb).export_name : "?");
    return r;
  }
  return invoke(callbacks_[size_t(cb)], args.begin(), args.size(),
                cb == Callback::MemoryAllocate ? Phase::Allocator : Phase::Running);
}

// A WASI reactor's _initialize, then main(0, 0) or __main_void if exported; a command's
// _start otherwise (Envoy's startVm).
CallResult WasmGuest::startup() {
  if (initialize_) {
    CallResult r = invoke(initialize_, nullptr, 0, Phase::Startup);
    if (!r.ok) return r;
    const uint32_t no_args[2] = {0, 0};
    if (main_) return invoke(main_, no_args, 2, Phase::Startup);
    if (main_void_) return invoke(main_void_, nullptr, 0, Phase::Startup);
    return r;
  }
  if (start_) return invoke(start_, nullptr, 0, Phase::Startup);
  return {};
}

CallResult WasmGuest::invoke(const wi::Func::Ptr& func, const uint32_t* args, size_t count, Phase phase) {
  CallResult out;
  if (count != func->type().params.size()) {
    out.ok = false;
    out.error = "wrong number of arguments";
    return out;
  }
  if (depth_ == slots_.size()) slots_.emplace_back();
  Slot& slot = slots_[depth_];
  slot.params.resize(count);
  for (size_t i = 0; i < count; ++i) slot.params[i] = wi::Value::Make(args[i]);
  if (!thread_) thread_ = std::make_unique<wi::Thread>(store_);

  const Phase saved_phase = phase_;
  phase_ = phase;
  ++depth_;
  wi::Trap::Ptr trap;
  const wabt::Result result = func->Call(*thread_, slot.params, slot.results, &trap);
  --depth_;
  phase_ = saved_phase;

  if (wabt::Failed(result)) {
    out.ok = false;
    out.error = trap ? trap->message() : std::string("call failed");
    if (depth_ > 0) {
      pending_trap_ = out.error;
    } else {
      thread_.reset();  // a trap leaves frames behind: any later call starts on a fresh thread
    }
    return out;
  }
  if (!slot.results.empty()) out.value = slot.results[0].Get<uint32_t>();
  return out;
}

std::string WasmGuest::restricted(const ImportSpec& spec) const {
  std::string message = "restricted_callback: " + spec.qualifiedName();
  switch (phase_) {
    case Phase::Startup: return message + " called during module start-up (_initialize)";
    case Phase::Allocator: return message + " called inside the allocator";
    case Phase::Running: break;
  }
  return message + " refused by the host";
}

wabt::Result WasmGuest::hostCall(const ImportSpec& spec, const wi::Values& params, wi::Values& results,
                                 wi::Trap::Ptr* out_trap) {
  if (!host_) return trap(out_trap, spec.qualifiedName() + " called before the module was attached to a host");
  if (spec.kind != ImportKind::Proxy) {
    const bool allowed = phase_ == Phase::Startup     ? spec.allowed_in_startup
                         : phase_ == Phase::Allocator ? spec.allowed_in_allocator
                                                      : true;
    // The host model records the refused call (Host::violations()).
    if (!allowed && !host_->allowed(spec.name)) return trap(out_trap, restricted(spec));
  }
  WasmMemory memory(memory_.get());
  const uint32_t r = spec.invoke(spec.fn, *host_, memory, params);
  if (pending_trap_) {
    const std::string message = std::move(*pending_trap_);
    pending_trap_.reset();
    return trap(out_trap, message);
  }
  if (r == host::abi::kTrap && spec.kind == ImportKind::Proxy) return trap(out_trap, restricted(spec));
  if (!results.empty()) results[0] = wi::Value::Make(r);
  return wabt::Result::Ok;
}

}  // namespace

bool readFile(const std::filesystem::path& path, std::vector<uint8_t>* bytes, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (error) *error = "cannot open " + path.string() + ": " + std::strerror(errno);
    return false;
  }
  bytes->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) {
    if (error) *error = "cannot read " + path.string();
    return false;
  }
  return true;
}

std::unique_ptr<host::Guest> loadWasmGuest(const std::vector<uint8_t>& bytes, std::string* error,
                                           const std::string& name) {
  std::string message;
  auto guest = std::make_unique<WasmGuest>(name);
  if (!guest->load(bytes, &message)) {
    if (error) *error = std::move(message);
    return nullptr;
  }
  return guest;
}

std::unique_ptr<host::Guest> loadWasmGuest(const std::filesystem::path& path, std::string* error) {
  std::vector<uint8_t> bytes;
  if (!readFile(path, &bytes, error)) return nullptr;
  return loadWasmGuest(bytes, error, path.string());
}

}  // namespace proxy_wasm::engine
