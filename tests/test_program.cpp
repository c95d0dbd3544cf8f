// The catch ladder of every program (imrdex::cli::run_guarded): exit codes and messages, and its
// terminate handler for an exception that gets past the ladder.
#include <gtest/gtest.h>
#include <tbb/parallel_invoke.h>
#include <xapian.h>

#include <stdexcept>

#include "imrdex/cli/program.hpp"

namespace {

using imrdex::cli::ErrorStyle;
using imrdex::cli::run_guarded;

template <typename E>
[[noreturn]] void throw_it(const E& e) {
    throw e;
}

// Throws through a noexcept frame: C++ then calls std::terminate with the exception still live,
// the way a throwing destructor does during unwinding.
template <typename E>
void throw_through_noexcept(const E& e) noexcept {
    throw_it(e);
}

TEST(RunGuarded, ReturnsTheBodysCodeAndMapsExceptionsToExitCodes) {
    const ErrorStyle style{"imr-test", imrdex::cli::kExitFatal, "", {}};
    EXPECT_EQ(run_guarded(style, [] { return 7; }), 7);
    testing::internal::CaptureStderr();
    EXPECT_EQ(
        run_guarded(style, []() -> int { throw Xapian::DatabaseError("no space left on device"); }),
        imrdex::cli::kExitFatal);
    EXPECT_EQ(testing::internal::GetCapturedStderr(),
              "imr-test: DatabaseError: no space left on device\n");
}

TEST(RunGuardedDeathTest, AnExceptionPastTheLadderIsPrintedWithItsStack) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    const ErrorStyle style{"imr-test", imrdex::cli::kExitFatal, "", {}};
    // The default handler would print only the type ("an instance of 'Xapian::DatabaseError'").
    EXPECT_DEATH(run_guarded(style,
                             [] {
                                 throw_through_noexcept(Xapian::DatabaseError("block 7 lost"));
                                 return 0;
                             }),
                 "imr-test: fatal: uncaught DatabaseError: block 7 lost\nstack");
    EXPECT_DEATH(run_guarded(style,
                             [] {
                                 throw_through_noexcept(std::runtime_error("out of cheese"));
                                 return 0;
                             }),
                 "imr-test: fatal: uncaught exception: out of cheese\nstack");
}

// The handler is the process's, so it also covers a oneTBB task, on whichever thread it runs.
TEST(RunGuardedDeathTest, TheHandlerCoversTbbTasks) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    const ErrorStyle style{"imr-test", imrdex::cli::kExitFatal, "", {}};
    EXPECT_DEATH(
        run_guarded(
            style,
            [] {
                tbb::parallel_invoke(
                    [] {},
                    [] { throw_through_noexcept(Xapian::DatabaseError("written by a worker")); });
                return 0;
            }),
        "imr-test: fatal: uncaught DatabaseError: written by a worker");
}

}  // namespace
