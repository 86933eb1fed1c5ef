// The babygpt program (bg/cli/program.h): its table of commands, the help texts read from it,
// and run(), which finds a command in it and turns what the command throws into an exit status.
#include "bg/cli/program.h"

#include <algorithm>
#include <new>
#include <ostream>
#include <sstream>

#include "bg/cli/command_support.h"
#include "bg/cli/commands.h"
#include "bg/fast/fast_model.h"

namespace bg::cli {

std::span<const Command> commands() {
  // One row per command, in the order `babygpt --help` lists them: its name, its one-line
  // summary, its flags and its main (declared in bg/cli/commands.h, each defined in its file
  // under engine/src/cli/commands/).
  static const std::vector<Command> table = {
      {"prepare-data", "fetch the ci poetry corpus and write it as one UTF-8 text",
       prepare_data_flags, prepare_data_main},
      {"train", "train a BabyGPT and write its checkpoint, loss curve and samples", train_flags,
       train_main},
      {"sample", "write text with a trained model", sample_flags, sample_main},
      {"eval", "the exact mean loss of a trained model on a text", eval_flags, eval_main},
      {"attention",
       "draw the weights of every attention head on a prompt (" +
           first_version_with([](const ModelVersion& m) { return m.has_attention(); }) + "+)",
       attention_flags, attention_main},
      {"heads",
       "what each head looks at, and the loss as heads are removed (" +
           first_version_with([](const ModelVersion& m) { return m.projection; }) + "+)",
       heads_flags, heads_main},
      {"bench", "measure training speed: ms/step, tokens/s, GFLOP/s, memory", bench_flags,
       bench_main},
  };
  return table;
}

const Command* find_command(std::string_view name) {
  for (const Command& c : commands()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

FeaturesFn features_of(Engine engine) {
  return engine == Engine::fast ? fast::features : own_features;
}

std::string usage(std::string_view command) {
  std::ostringstream s;
  if (command.empty()) {
    s << "babygpt — train a small GPT on classical Chinese ci poetry, on an engine written from\n"
         "scratch in C++.\n\n"
         "usage: babygpt <command> [flags]\n\ncommands:\n";
    for (const Command& c : commands()) {
      s << "  " << c.name << std::string(14 - c.name.size(), ' ') << c.summary << "\n";
    }
    s << "\nFlags are written --name value or --name=value. 'babygpt <command> --help' lists\n"
         "a command's flags. Exit status: 0 ok, 1 bad input, 2 bad usage.\n"
         "A first run:\n"
         "  babygpt prepare-data && babygpt train && babygpt sample --checkpoint "
         "runs/v4/model.safetensors\n";
    return s.str();
  }
  const Command* c = find_command(command);
  if (c == nullptr) throw Error("unknown command '" + std::string(command) + "'");
  s << "usage: babygpt " << c->name << " [flags]\n\n" << c->summary << ".\n\nflags:\n";
  const std::vector<Flag>& flags = c->flags();
  std::vector<std::string> left;
  size_t width = 0;
  for (const Flag& f : flags) {
    std::string l = "--" + f.name + (f.value_name.empty() ? "" : " " + f.value_name);
    width = std::max(width, l.size());
    left.push_back(std::move(l));
  }
  left.push_back("--help");
  for (size_t i = 0; i < left.size(); ++i) {
    const std::string help = i < flags.size() ? flags[i].help : "show this help";
    s << "  " << left[i] << std::string(width - left[i].size() + 2, ' ') << help << "\n";
  }
  return s.str();
}

int run(std::span<const std::string> args, std::ostream& out, std::ostream& err, bool interactive,
        Engine engine) {
  Console con{out, err, interactive};
  if (args.empty()) {
    err << usage();
    return kExitUsage;
  }
  const std::string& name = args[0];
  if (name == "--help" || name == "-h" || name == "help") {
    out << usage();
    return kExitOk;
  }
  const Command* command = find_command(name);
  if (command == nullptr) {
    err << "babygpt: unknown command '" << name << "'\n\n" << usage();
    return kExitUsage;
  }
  try {
    return command->main(args.subspan(1), con, engine);
  } catch (const UsageError& e) {
    err << "babygpt " << name << ": " << e.what() << "\n";
    return kExitUsage;
  } catch (const Error& e) {
    err << "babygpt " << name << ": error: " << e.what() << "\n";
    return kExitError;
  } catch (const NotImplemented& e) {
    err << "babygpt " << name << ": " << e.what() << "\n";
    return kExitError;
  } catch (const std::bad_alloc&) {
    err << "babygpt " << name << ": error: out of memory\n";
    return kExitError;
  } catch (const std::exception& e) {
    err << "babygpt " << name << ": internal error: " << e.what() << "\n";
    return kExitError;
  }
}

}  // namespace bg::cli
