// babygpt prepare-data: fetch the ci poetry corpus and write it as one UTF-8 text
// (bg/io/corpus.h does the work).
#include <filesystem>
#include <ostream>

#include "bg/cli/command_support.h"
#include "bg/cli/commands.h"
#include "bg/io/corpus.h"
#include "bg/io/fileio.h"

namespace bg::cli {

namespace fs = std::filesystem;

const std::vector<Flag>& prepare_data_flags() {
  static const std::vector<Flag> flags = {
      {"out", "FILE", "where to write the corpus (default data/ci.txt)"},
      {"tarball", "FILE",
       "use this chinese-poetry-2.0.1.tgz instead of fetching it with 'npm pack'"},
  };
  return flags;
}

PrepareDataOptions parse_prepare_data_args(std::span<const std::string> args) {
  const ParsedFlags p = parse_flags("prepare-data", args, prepare_data_flags());
  PrepareDataOptions o;
  o.help = p.help;
  if (const auto* v = p.get("out")) {
    if (v->empty()) throw UsageError("--out must not be empty");
    o.out = *v;
  }
  if (const auto* v = p.get("tarball")) {
    if (v->empty()) throw UsageError("--tarball must not be empty");
    o.tarball = *v;
  }
  return o;
}

void prepare_data(const PrepareDataOptions& o, Console& con) {
  // Both files are checked before the download, and named as they were given.
  if (!o.tarball.empty()) {
    check_input_file(o.tarball, "--tarball");
    std::error_code ec;
    if (!fs::is_regular_file(o.tarball, ec)) {
      throw Error("--tarball " + o.tarball.string() + " is not a regular file");
    }
  }
  make_directory(o.out.parent_path());
  check_writable(o.out);
  // Absolute paths: prepare_corpus runs npm and cmake in a temporary directory, where a
  // relative path would no longer point at the right place.
  CorpusOptions co;
  if (!o.tarball.empty()) co.tarball = fs::absolute(o.tarball);
  co.log = [&](const std::string& line) { con.err << line << "\n" << std::flush; };
  const CorpusStats st = prepare_corpus(fs::absolute(o.out), co);
  con.out << "wrote " << o.out.string() << ": " << grouped(st.poems) << " poems, "
          << grouped(st.chars) << " characters (" << grouped(st.bytes) << " bytes), "
          << grouped(st.distinct) << " distinct; sha256 " << st.sha256 << "\n";
}

int prepare_data_main(std::span<const std::string> args, Console& con, Engine /*engine*/) {
  const PrepareDataOptions o = parse_prepare_data_args(args);
  if (o.help) {
    con.out << usage("prepare-data");
    return kExitOk;
  }
  prepare_data(o, con);
  return kExitOk;
}

}  // namespace bg::cli
