// The deterministic synthetic IMR letter generator behind imr-corpus: letter i of a corpus is a
// pure function of (seed, i), so a corpus is byte-identical whatever the thread count.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "imrdex/extract/drugs.hpp"
#include "imrdex/core/letter.hpp"

namespace imrdex {

// Layout features a generated letter may carry; tests use them to prove every variant appears.
enum LetterFeature : std::uint32_t {
    kFeatureCoverBlock = 1u << 0,           // "Case Number:" ... cover block (else id from name)
    kFeatureSentenceCredentials = 1u << 1,  // "Board Certified in X ... licensed to practice in A"
    kFeatureListCredentials = 1u << 2,      // "State(s) of Licensure:" / "Certification(s)/..."
    kFeatureDoubleSpaced = 1u << 3,         // older pdftotext: blank line after every line
    kFeatureFormFeed = 1u << 4,             // a page break ("\f" at the start of a line)
    kFeatureDecisionAlone = 1u << 5,        // an item's decision alone on the next line
    kFeatureWrappedRequest = 1u << 6,       // an item request wrapped over several lines
    kFeaturePartialRemaining = 1u << 7,     // "... The remaining IMR eligible portion ..."
    kFeaturePartialLeaving = 1u << 8,       // "... leaving the original request IMR eligible."
    kFeatureSubspecialty = 1u << 9,         // sentence credentials with "has a subspecialty in"
    kFeatureExpedited = 1u << 10,           // priority "Expedited"
    kFeatureNoEvidenceCited = 1u << 11,     // a guideline that cites no medical evidence
    kFeatureOtherCitation = 1u << 12,       // a non-MTUS citation of something else (URL, ...)
    kFeatureMonthYearInjury = 1u << 13,     // "injured in December of 2001" (no cover block)
    kFeatureUnknownQuantity = 1u << 14,     // "Deprizine (unknown quantity)"
};

// Number of distinct first-patient-sentence forms the generator writes (see generator.cpp).
inline constexpr unsigned kPatientSentenceForms = 14;

struct GeneratedLetter {
    std::string text;          // the letter as pdftotext would leave it
    Letter truth;              // every field the generator put in it, in extraction-record form
    std::uint32_t features = 0;
    unsigned patient_form = 0;  // which first-patient-sentence form was used
};

class LetterGenerator {
public:
    // The drug pool is every vocabulary entry whose name can be written in a request as is
    // (no digits or punctuation in the name). Throws ConfigError when that pool is empty.
    explicit LetterGenerator(std::uint64_t seed,
                             const DrugVocabulary& drugs = DrugVocabulary::builtin());

    // Letter `index` of the corpus; reuses `out`'s buffers. `truth.source` is left as the
    // id-derived relative txt path (corpus_txt_path); write_corpus replaces it.
    void generate(std::uint64_t index, GeneratedLetter& out) const;
    [[nodiscard]] GeneratedLetter generate(std::uint64_t index) const;

    // The case number of letter `index`: "CMyy-nnnnnnn", unique for index < id_capacity().
    [[nodiscard]] std::string id_of(std::uint64_t index) const;
    [[nodiscard]] std::uint64_t id_capacity() const noexcept;

    [[nodiscard]] std::uint64_t seed() const noexcept { return seed_; }
    [[nodiscard]] std::size_t drug_pool_size() const noexcept { return drugs_.size(); }

    struct DrugChoice {
        const DrugEntry* entry = nullptr;
        const DrugEntry* generic = nullptr;  // a generic entry with the same drug, for "Brand (generic)"
        std::uint32_t safe_forms = 0;  // bit f: the name followed by form word f is still this drug
    };

private:
    std::uint64_t seed_;
    std::uint64_t id_mult_;
    std::uint64_t id_add_;
    std::vector<DrugChoice> drugs_;
    std::vector<std::uint32_t> common_;  // indices into drugs_ of drugs common in requests
};

// Relative path of a letter in the txt tree: "txt/CM16/021/CM16-0213037.txt" (at most 10,000
// files per directory).
std::string corpus_txt_path(std::string_view id);

enum class CorpusFormat { txt, jsonl, both };

struct CorpusOptions {
    std::uint64_t letters = 1000;
    std::uint64_t seed = 1;
    std::filesystem::path out;
    CorpusFormat format = CorpusFormat::jsonl;
    bool zstd = false;
    unsigned threads = 0;  // 0: all cores
    // Called from the writing thread after each batch: (letters written, total).
    std::function<void(std::uint64_t, std::uint64_t)> progress;
};

struct CorpusStats {
    std::uint64_t letters = 0;
    std::uint64_t items = 0;
    std::uint64_t overturned = 0;
    std::uint64_t text_bytes = 0;  // letter text, before JSON escaping and compression
    double seconds = 0;
};

// Writes the corpus under options.out: txt/ tree and/or letters.jsonl[.zst], and always
// truth.jsonl[.zst] (one to_json(Letter) line per letter, in index order). `source` in the
// truth is the path the letter was written to: "<out>/letters.jsonl[.zst]:<line>" (1-based)
// when JSON Lines are written, else "<out>/txt/...". With zstd, each batch of letters is one
// zstd frame (frames are compressed in parallel; the concatenation is a valid zstd stream).
// Throws IoError when the output cannot be written.
CorpusStats write_corpus(const CorpusOptions& options);

}  // namespace imrdex
