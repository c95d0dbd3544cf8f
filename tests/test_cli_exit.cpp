// CLI tests of exit codes and wrong inputs: the real programs with bad options, a missing input
// path and a database imrdex did not build.
#include <gtest/gtest.h>

#include <xapian.h>

#include <string>

#include "test_util.hpp"

namespace {

namespace fs = std::filesystem;
using imrdex::testing::q;
using imrdex::testing::read_file;
using imrdex::testing::run_command;
using imrdex::testing::TempDir;

const std::string kIndex = IMRDEX_INDEX_BIN;
const std::string kSearch = IMRDEX_SEARCH_BIN;
const std::string kCorpus = IMRDEX_CORPUS_BIN;

// Every usage error exits 2, whatever CLI11's own code for it (RequiredError 106,
// ValidationError 105, ConversionError 104, ExtrasError 109, ...).
TEST(CliExit, EveryUsageErrorOfEveryProgramExits2) {
    TempDir tmp("cli-exit");
    const std::string db = q(tmp.path() / "db");
    const std::string err = (tmp.path() / "err").string();
    const std::string cases[] = {
        kSearch + " --db " + db + " --sort date overturned",       // not a member
        kSearch + " overturned",                                   // --db missing
        kSearch + " --db " + db + " --limit many overturned",      // not a number
        kSearch + " --db " + db + " --no-such-option overturned",  // unknown option
        kSearch + " --db " + db + " --json --csv overturned",      // excluded pair
        kSearch + " --db " + db,                                   // query missing
        kIndex + " --db " + db + " --threads 0 " + db,             // out of range
        kIndex + " --db " + db,                                    // no inputs
        kIndex + " --stats " + db,                                 // --stats needs --extract
        kIndex + " --db " + db + " --shard 3/2 " + db,             // bad K/N
        kIndex + " " + db,                                         // --db missing
        kCorpus + " -o " + db + " --format pdf",                   // not a member
        kCorpus + " -n 10",                                        // --out missing
        kCorpus + " -o " + db + " -n 0",                           // out of range
    };
    for (const std::string& c : cases) {
        const auto r = run_command(c, err);
        EXPECT_EQ(r.code, 2) << c << "\n" << r.err;
        EXPECT_FALSE(r.err.empty()) << c << ": no message";
    }
    EXPECT_FALSE(fs::exists(tmp.path() / "db")) << "a usage error created the database";
}

TEST(CliExit, HelpListsTheExitCodesAndExits0) {
    TempDir tmp("cli-exit-help");
    for (const std::string& prog : {kIndex, kSearch, kCorpus}) {
        const auto r = run_command(prog + " --help", tmp.path() / "err");
        EXPECT_EQ(r.code, 0) << prog;
        const std::size_t at = r.out.find("EXIT CODES");
        ASSERT_NE(at, std::string::npos) << prog << "\n" << r.out;
        EXPECT_NE(r.out.find("0 ", at), std::string::npos) << prog;
        EXPECT_NE(r.out.find("2 usage error", at), std::string::npos) << prog;
    }
}

}  // namespace

// A mistyped input path is a usage error naming it, found before the database is created, in
// every mode that reads letters.
TEST(CliExit, NonexistentInputIsAUsageErrorBeforeAnyDatabase) {
    TempDir tmp("cli-exit-input");
    const fs::path letters = tmp.path() / "letters";
    fs::create_directories(letters);
    const fs::path typo = tmp.path() / "leters";
    const fs::path err = tmp.path() / "err";
    for (const std::string& mode :
         {std::string("--db ") + q(tmp.path() / "db"), std::string("--extract")}) {
        const auto r =
            run_command(kIndex + " --quiet " + mode + " " + q(letters) + " " + q(typo), err);
        EXPECT_EQ(r.code, 2) << mode << "\n" << r.err;
        EXPECT_NE(r.err.find(typo.string()), std::string::npos) << r.err;
        EXPECT_TRUE(r.out.empty()) << r.out;
    }
    EXPECT_FALSE(fs::exists(tmp.path() / "db")) << "the database was created";
    // The existing directory alone is fine (an empty directory indexes nothing).
    const auto ok =
        run_command(kIndex + " --quiet --db " + q(tmp.path() / "db") + " " + q(letters), err);
    EXPECT_EQ(ok.code, 0) << ok.err;
}

// A Xapian database imr-index did not build (quest/omindex, a bare WritableDatabase) is an error,
// not "0 matching items"; one built before schema versions existed (only the word-pairs key)
// is searched as an older imrdex database.
TEST(CliExit, DatabaseNotBuiltByImrdexExits3) {
    TempDir tmp("cli-exit-foreign");
    const fs::path err = tmp.path() / "err";
    const fs::path foreign = tmp.path() / "foreign";
    {
        Xapian::WritableDatabase db(foreign.string(), Xapian::DB_CREATE);
        Xapian::Document doc;
        doc.set_data("a web page");
        doc.add_term("overturned");
        doc.add_term("XDoverturned");  // even a term that looks like one of imrdex's
        db.add_document(doc);
        db.commit();
    }
    auto r = run_command(kSearch + " --db " + q(foreign) + " overturned", err);
    EXPECT_EQ(r.code, 3) << r.out << r.err;
    EXPECT_NE(r.err.find("did not build"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(foreign.string()), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find("matching"), std::string::npos) << r.out;

    const fs::path older = tmp.path() / "older";
    {
        Xapian::WritableDatabase db(older.string(), Xapian::DB_CREATE);
        Xapian::Document doc;
        doc.add_term("Q" + std::string("CM16-0000001/1"));
        doc.add_boolean_term("XDoverturned");
        db.add_document(doc);
        db.set_metadata("imrdex.word_pairs", "0");
        db.commit();
    }
    r = run_command(kSearch + " --db " + q(older) + " --count decision:overturned", err);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "1\n");
    EXPECT_NE(r.err.find("re-index"), std::string::npos) << r.err;

    // An imrdex database, built by the real program, is searched as ever.
    const fs::path letters = tmp.path() / "letters";
    ASSERT_EQ(run_command(kCorpus + " -n 20 -o " + q(letters), err).code, 0) << read_file(err);
    ASSERT_EQ(run_command(kIndex + " --quiet --db " + q(tmp.path() / "db") + " " +
                              q(letters / "letters.jsonl"),
                          err)
                  .code,
              0);
    r = run_command(kSearch + " --db " + q(tmp.path() / "db") + " --count overturned", err);
    EXPECT_EQ(r.code, 0) << r.err;
}
