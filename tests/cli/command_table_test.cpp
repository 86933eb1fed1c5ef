// The program's table of commands (bg/cli/program.h): every row is listed by the help and
// reached by run(), and the help texts read the versions' table (bg/model_versions.h) instead
// of naming versions by hand.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "bg/cli/command_support.h"
#include "bg/cli/commands.h"
#include "bg/cli/program.h"
#include "bg/model_versions.h"
#include "testing.h"

namespace bg::cli {
namespace {

using ::bg::testing::Mentions;

TEST(CommandTable, EveryRowIsListedAndRunsItsHelp) {
  ASSERT_FALSE(commands().empty());
  const std::string top = usage();
  for (const Command& c : commands()) {
    BG_TRACE(c.name);
    EXPECT_EQ(find_command(c.name), &c);
    ASSERT_NE(c.flags, nullptr);
    ASSERT_NE(c.main, nullptr);
    EXPECT_TRUE(Mentions(top, "  " + c.name, "the program's help"));
    EXPECT_TRUE(Mentions(top, c.summary, "the program's help"));
    std::ostringstream out, err;
    const std::vector<std::string> args = {c.name, "--help"};
    EXPECT_EQ(run(args, out, err), kExitOk) << err.str();
    EXPECT_EQ(out.str(), usage(c.name));
    EXPECT_EQ(err.str(), "");
    for (const Flag& f : c.flags()) EXPECT_TRUE(Mentions(out.str(), "--" + f.name, "its help"));
  }
  EXPECT_EQ(find_command("frobnicate"), nullptr);
}

TEST(CommandTable, VersionsInTheHelpComeFromTheVersionsTable) {
  const std::string first(kModelVersions.front().name), last(kModelVersions.back().name);
  EXPECT_EQ(version_range(), first + ".." + last);
  EXPECT_TRUE(Mentions(usage("train"), "--model " + first + ".." + last, "train's help"));
  const std::string choices = "--model must be one of " + first + ", ", end = "… " + last;
  EXPECT_BG_ERROR(course_defaults("v0"), choices.c_str(), end.c_str());
  // Every version whose course batch size differs from the default model's is named with it.
  const VersionDefaults& base = model_version(TrainOptions{}.model).defaults;
  for (const ModelVersion& m : kModelVersions) {
    if (m.defaults.batch_size == base.batch_size) continue;
    EXPECT_TRUE(Mentions(usage("train"),
                         std::string(m.name) + ": " + std::to_string(m.defaults.batch_size),
                         "train's help"));
  }
  EXPECT_EQ(first_version_with([](const ModelVersion& m) { return m.has_blocks(); }), "v6");
  EXPECT_EQ(course_values("v4", &VersionDefaults::batch_size), "default 32; v11: 64");
  EXPECT_EQ(course_values("v4", &VersionDefaults::lr), "default 0.01; v11: 0.0003");
  EXPECT_EQ(course_values("v4", &VersionDefaults::dropout,
                          [](const ModelVersion& m) { return m.dropout; }),
            "default 0.2");
}

}  // namespace
}  // namespace bg::cli
