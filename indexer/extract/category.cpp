// Request classification (category of a disputed item) and unknown-drug-word detection.
//
// The category is part of the extraction contract, so the rules are written down here.
// A request is lower-cased and split into words (runs of ASCII letters/digits; every other
// character separates, so "X-ray" is "x ray" and "H-wave" is "h wave"). Keywords below are
// whole words or word sequences; a few rules look at word suffixes/prefixes.
//
//  group                  keywords (examples; the full lists are the tables below)
//  ---------------------  ----------------------------------------------------------------------
//  psychological services psych* words (psychotherapy, psychological, psychiatric, ...; but not
//                         psychotropic / psychopharmacolog*), neuropsych*, cognitive behavioral,
//                         cbt, biofeedback, partial hospitalization, counseling, hypnotherapy
//  physical therapy       physical therapy, pt, physiotherapy, occupational therapy, aquatic/pool
//                         therapy, work hardening/conditioning, massage, myofascial release,
//                         post-operative therapy
//  chiropractic           chiropractic, chiropractor, manipulation, manipulative, adjustments
//  acupuncture            acupuncture, electroacupuncture, acupressure, dry needling
//  injection              injection(s), epidural, esi, block, facet, medial branch, trigger point,
//                         radiofrequency, rhizotomy, neurotomy, ablation, prp, platelet rich,
//                         viscosupplementation (synvisc, orthovisc, ...: devices, deliberately not
//                         in the drug vocabulary), cortisone, shot, infusion
//  imaging                mri, mr, mra, arthrogram, x ray, xray, radiograph, ct, cat scan,
//                         ultrasound, sonogram, scan, bone scan, dexa, myelogram, discogram, and
//                         ELECTRODIAGNOSTICS: emg, ncv, ncs, nerve conduction, electromyography,
//                         ssep. Electrodiagnostic studies count as imaging (the diagnostic-study
//                         category); an imaging word followed by "guided"/"guidance" is ignored
//                         ("ultrasound guided injection" is an injection)
//  laboratory             urine drug screen/test, drug screen, toxicology, lab(s), laboratory,
//                         blood test/work, genetic (testing), pharmacogenetic, urinalysis, cbc, ...
//  dme                    tens, h wave, interferential (and the "inferential" misspelling), brace,
//                         orthosis/orthotics, splint, sling, boot, immobilizer, cane, crutches,
//                         walker, wheelchair, hospital bed, mattress, pillow, cold therapy (unit),
//                         hot/cold pack, heating pad, hearing aid(s), traction, cpm, collar, lso,
//                         compression stockings, bone growth stimulator, supplies, equipment, ...
//  surgery                surgery, surgical, surgeon, fusion, arthrodesis, repair, release,
//                         replacement, reconstruction, decompression, debridement, orif, excision,
//                         spinal cord stimulator, implant, inpatient/hospital stay (the surgical
//                         admission; "inpatient rehabilitation" is not one), anesthesia, acdf/tlif,
//                         words ending in -ectomy, -otomy, -plasty, -desis, -rrhaphy, -scopy,
//                         -scopic; "post"/"pre" right before surgery/surgical does not count
//  office visit           office visit, visit(s), follow up, consultation, consult, evaluation,
//                         eval, referral, second opinion, specialist, appointment, clearance,
//                         pain management, exam
//  other (explicit)       functional restoration, functional capacity (evaluation) / fce: an FCE
//                         measures work capacity for the claim rather than treating the patient,
//                         so it is neither therapy nor an office visit even though therapists
//                         perform it; home health, home care, transportation, gym, membership,
//                         weight loss, detox, sleep study, nursing, aide
//  pharmaceutical form    strength ("10mg", "5%", "240g", "20mg/ml", "100 units"), quantity
//                         ("#90", "# 30", "qty"), dosage forms (tablet, capsule, cream, gel, patch,
//                         ointment, lotion, solution, ...), medication, prescription, refill
//
// Decision, first rule that applies:
//  1. "medication management"/"medication sessions"/"med management" -> office visit;
//     "manipulation under anesthesia"/"mua" -> surgery.
//  2. Among psychological, physical therapy, chiropractic, acupuncture, injection, imaging,
//     laboratory, dme -- and surgery, unless the request also names an office-visit word (then it
//     is a surgical consultation) or a vocabulary drug (then it is post-operative medication) --
//     the group whose keyword occurs first in the request wins ("TENS unit after physical
//     therapy" -> dme; "arthroscopy with post-operative brace" -> surgery). Ties go to the order
//     listed here, injection before surgery ("rhizotomy" -> injection).
//  3. explicit other -> other.
//  4. has_drug -> pharmaceutical.
//  5. office visit word -> office visit.
//  6. surgery word -> surgery.
//  7. pharmaceutical form -> pharmaceutical.
//  8. other.
#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "imrdex/extract/drugs.hpp"
#include "parse_util.hpp"

namespace imrdex {

namespace {

enum class Group : std::uint8_t {
    // Competing groups of rule 2, in tie-break order.
    psych,
    pt,
    chiro,
    acupuncture,
    injection,
    imaging,
    lab,
    dme,
    surgery,
    // The rest.
    office,
    other,
    pharm_form,
    med_management,
    mua,
    count
};
constexpr std::size_t kGroups = static_cast<std::size_t>(Group::count);

struct Keyword {
    std::string_view phrase;  // words separated by single spaces
    Group group;
};

// clang-format off
constexpr Keyword kKeywords[] = {
    // psychological services (psych*/neuropsych* prefixes are handled in code)
    {"cognitive behavioral", Group::psych}, {"cognitive behavioural", Group::psych},
    {"cbt", Group::psych}, {"biofeedback", Group::psych}, {"partial hospitalization", Group::psych},
    {"counseling", Group::psych}, {"counselling", Group::psych}, {"hypnotherapy", Group::psych},
    {"hypnosis", Group::psych}, {"relaxation training", Group::psych},
    {"group therapy", Group::psych}, {"mental health", Group::psych},
    {"behavioral medicine", Group::psych}, {"behavioral therapy", Group::psych},
    {"behavioral health", Group::psych},
    // physical therapy
    {"physical therapy", Group::pt}, {"physical therapist", Group::pt}, {"pt", Group::pt},
    {"physiotherapy", Group::pt}, {"occupational therapy", Group::pt},
    {"occupational therapist", Group::pt}, {"aquatic therapy", Group::pt},
    {"aqua therapy", Group::pt}, {"aquatherapy", Group::pt}, {"pool therapy", Group::pt},
    {"water therapy", Group::pt}, {"hydrotherapy", Group::pt}, {"work hardening", Group::pt},
    {"work conditioning", Group::pt}, {"therapeutic exercise", Group::pt},
    {"therapeutic exercises", Group::pt},
    {"massage", Group::pt}, {"massage therapy", Group::pt}, {"myofascial release", Group::pt},
    {"hand therapy", Group::pt}, {"vestibular therapy", Group::pt},
    {"vestibular rehabilitation", Group::pt}, {"physical rehabilitation", Group::pt},
    {"postoperative therapy", Group::pt}, {"post operative therapy", Group::pt},
    {"post op therapy", Group::pt}, {"postop therapy", Group::pt},
    {"post surgical therapy", Group::pt}, {"postsurgical therapy", Group::pt},
    {"home exercise program", Group::pt},
    // chiropractic
    {"chiropractic", Group::chiro}, {"chiropractor", Group::chiro}, {"chiro", Group::chiro},
    {"manipulation", Group::chiro}, {"manipulations", Group::chiro},
    {"manipulative", Group::chiro}, {"spinal adjustment", Group::chiro},
    {"spinal adjustments", Group::chiro}, {"adjustments", Group::chiro},
    {"osteopathic", Group::chiro}, {"omt", Group::chiro}, {"cmt", Group::chiro},
    // acupuncture
    {"acupuncture", Group::acupuncture}, {"acupuncturist", Group::acupuncture},
    {"electroacupuncture", Group::acupuncture}, {"acupressure", Group::acupuncture},
    {"dry needling", Group::acupuncture},
    // injection
    {"injection", Group::injection}, {"injections", Group::injection},
    {"inject", Group::injection}, {"injected", Group::injection},
    {"injectable", Group::injection}, {"epidural", Group::injection},
    {"epidurals", Group::injection}, {"esi", Group::injection}, {"esis", Group::injection},
    {"tfesi", Group::injection}, {"block", Group::injection}, {"blocks", Group::injection},
    {"mbb", Group::injection}, {"mbnb", Group::injection}, {"rfa", Group::injection},
    {"radiofrequency", Group::injection}, {"radio frequency", Group::injection},
    {"rhizotomy", Group::injection}, {"rhizotomies", Group::injection},
    {"neurotomy", Group::injection}, {"neurotomies", Group::injection},
    {"ablation", Group::injection}, {"trigger point", Group::injection},
    {"trigger points", Group::injection}, {"tpi", Group::injection}, {"tpis", Group::injection},
    {"prp", Group::injection}, {"platelet rich", Group::injection},
    {"viscosupplementation", Group::injection}, {"viscosupplement", Group::injection},
    {"synvisc", Group::injection}, {"orthovisc", Group::injection},
    {"euflexxa", Group::injection}, {"supartz", Group::injection},
    {"hyalgan", Group::injection}, {"monovisc", Group::injection}, {"gelsyn", Group::injection},
    {"durolane", Group::injection}, {"gel one", Group::injection},
    {"cortisone", Group::injection}, {"shot", Group::injection}, {"shots", Group::injection},
    {"infusion", Group::injection}, {"infusions", Group::injection},
    {"intra articular", Group::injection}, {"intraarticular", Group::injection},
    {"facet", Group::injection}, {"facets", Group::injection},
    {"medial branch", Group::injection}, {"stellate ganglion", Group::injection},
    {"nerve root", Group::injection}, {"transforaminal", Group::injection},
    {"interlaminar", Group::injection}, {"caudal", Group::injection},
    {"aspiration", Group::injection}, {"arthrocentesis", Group::injection},
    {"prolotherapy", Group::injection}, {"stem cell", Group::injection},
    {"epidurogram", Group::injection},
    // imaging and electrodiagnostics
    {"mri", Group::imaging}, {"mris", Group::imaging}, {"mr", Group::imaging},
    {"mra", Group::imaging}, {"arthrogram", Group::imaging}, {"arthrography", Group::imaging},
    {"x ray", Group::imaging}, {"x rays", Group::imaging}, {"xray", Group::imaging},
    {"xrays", Group::imaging}, {"radiograph", Group::imaging}, {"radiographs", Group::imaging},
    {"radiographic", Group::imaging}, {"ct", Group::imaging}, {"cat scan", Group::imaging},
    {"computed tomography", Group::imaging}, {"ultrasound", Group::imaging},
    {"ultrasounds", Group::imaging}, {"sonogram", Group::imaging},
    {"sonography", Group::imaging}, {"ultrasonography", Group::imaging},
    {"scan", Group::imaging}, {"scans", Group::imaging}, {"imaging", Group::imaging},
    {"dexa", Group::imaging}, {"densitometry", Group::imaging}, {"myelogram", Group::imaging},
    {"myelography", Group::imaging}, {"discogram", Group::imaging},
    {"discography", Group::imaging}, {"fluoroscopy", Group::imaging},
    {"doppler", Group::imaging}, {"echocardiogram", Group::imaging},
    {"emg", Group::imaging}, {"emgs", Group::imaging}, {"ncv", Group::imaging},
    {"ncvs", Group::imaging}, {"ncs", Group::imaging}, {"nerve conduction", Group::imaging},
    {"electromyography", Group::imaging}, {"electromyogram", Group::imaging},
    {"electrodiagnostic", Group::imaging}, {"electrodiagnostics", Group::imaging},
    {"ssep", Group::imaging}, {"sseps", Group::imaging}, {"evoked potential", Group::imaging},
    {"evoked potentials", Group::imaging},
    // laboratory
    {"urine drug", Group::lab}, {"drug screen", Group::lab}, {"drug screens", Group::lab},
    {"drug screening", Group::lab}, {"drug test", Group::lab}, {"drug tests", Group::lab},
    {"drug testing", Group::lab}, {"uds", Group::lab}, {"toxicology", Group::lab},
    {"tox screen", Group::lab}, {"urine tox", Group::lab}, {"lab", Group::lab},
    {"labs", Group::lab}, {"laboratory", Group::lab}, {"blood test", Group::lab},
    {"blood tests", Group::lab}, {"blood work", Group::lab}, {"bloodwork", Group::lab},
    {"blood draw", Group::lab}, {"genetic", Group::lab}, {"pharmacogenetic", Group::lab},
    {"pharmacogenomic", Group::lab}, {"dna", Group::lab}, {"urinalysis", Group::lab},
    {"cbc", Group::lab}, {"cmp", Group::lab}, {"bmp", Group::lab}, {"lft", Group::lab},
    {"lfts", Group::lab}, {"liver function", Group::lab}, {"kidney function", Group::lab},
    {"renal function", Group::lab}, {"metabolic panel", Group::lab},
    {"hepatic panel", Group::lab}, {"lipid panel", Group::lab}, {"a1c", Group::lab},
    {"hba1c", Group::lab}, {"serum", Group::lab}, {"chem panel", Group::lab},
    {"chemistry panel", Group::lab}, {"tsh", Group::lab}, {"cytokine", Group::lab},
    // dme
    {"dme", Group::dme}, {"durable medical equipment", Group::dme}, {"tens", Group::dme},
    {"h wave", Group::dme}, {"hwave", Group::dme}, {"interferential", Group::dme},
    {"inferential", Group::dme}, {"ifc unit", Group::dme}, {"if unit", Group::dme},
    {"e stim", Group::dme}, {"estim", Group::dme}, {"electrical stimulation unit", Group::dme},
    {"electrical stimulator", Group::dme}, {"muscle stimulator", Group::dme},
    {"nmes", Group::dme}, {"ems unit", Group::dme}, {"bone growth stimulator", Group::dme},
    {"bone stimulator", Group::dme}, {"cold therapy", Group::dme}, {"cryotherapy", Group::dme},
    {"cryo cuff", Group::dme}, {"cryocuff", Group::dme}, {"game ready", Group::dme},
    {"polar care", Group::dme}, {"vascutherm", Group::dme}, {"ice machine", Group::dme},
    {"cold unit", Group::dme}, {"hot cold", Group::dme}, {"hot and cold", Group::dme},
    {"heat and cold", Group::dme}, {"heating pad", Group::dme}, {"heat pad", Group::dme},
    {"ice pack", Group::dme}, {"ice packs", Group::dme}, {"cold pack", Group::dme},
    {"cold packs", Group::dme}, {"hot pack", Group::dme}, {"hot packs", Group::dme},
    {"heat wrap", Group::dme}, {"heat wraps", Group::dme}, {"thermacare", Group::dme},
    {"brace", Group::dme}, {"braces", Group::dme}, {"bracing", Group::dme},
    {"orthosis", Group::dme}, {"orthoses", Group::dme}, {"orthotic", Group::dme},
    {"orthotics", Group::dme}, {"splint", Group::dme}, {"splints", Group::dme},
    {"sling", Group::dme}, {"boot", Group::dme}, {"boots", Group::dme},
    {"immobilizer", Group::dme}, {"immobilizers", Group::dme}, {"cane", Group::dme},
    {"canes", Group::dme},
    {"crutch", Group::dme}, {"crutches", Group::dme}, {"walker", Group::dme},
    {"walkers", Group::dme}, {"rollator", Group::dme}, {"wheelchair", Group::dme},
    {"wheel chair", Group::dme}, {"scooter", Group::dme}, {"hospital bed", Group::dme},
    {"bed", Group::dme}, {"mattress", Group::dme}, {"pillow", Group::dme},
    {"pillows", Group::dme}, {"collar", Group::dme}, {"lumbar support", Group::dme},
    {"back support", Group::dme}, {"lumbosacral support", Group::dme}, {"lso", Group::dme},
    {"tlso", Group::dme}, {"corset", Group::dme}, {"binder", Group::dme},
    {"compression stockings", Group::dme}, {"compression stocking", Group::dme},
    {"compression garment", Group::dme}, {"compression sleeve", Group::dme},
    {"compression device", Group::dme}, {"compression pump", Group::dme},
    {"ted hose", Group::dme}, {"hearing aid", Group::dme}, {"hearing aids", Group::dme},
    {"traction", Group::dme}, {"cpm", Group::dme}, {"continuous passive motion", Group::dme},
    {"equipment", Group::dme}, {"supplies", Group::dme}, {"electrodes", Group::dme},
    {"insoles", Group::dme}, {"insole", Group::dme}, {"shoe inserts", Group::dme},
    {"heel lift", Group::dme}, {"toilet seat", Group::dme}, {"shower chair", Group::dme},
    {"tub bench", Group::dme}, {"commode", Group::dme}, {"grab bars", Group::dme},
    {"reacher", Group::dme}, {"lift chair", Group::dme}, {"recliner", Group::dme},
    {"exercise ball", Group::dme}, {"theraband", Group::dme}, {"resistance band", Group::dme},
    {"exercise kit", Group::dme}, {"stationary bike", Group::dme}, {"treadmill", Group::dme},
    {"cpap", Group::dme}, {"bipap", Group::dme}, {"glucometer", Group::dme},
    {"nebulizer", Group::dme}, {"kinesio", Group::dme}, {"ergonomic", Group::dme},
    {"keyboard", Group::dme}, {"headset", Group::dme}, {"paraffin", Group::dme},
    {"massager", Group::dme}, {"foam roller", Group::dme}, {"lumbar roll", Group::dme},
    {"cushion", Group::dme}, {"prosthetic", Group::dme},
    // surgery (suffix rules are handled in code)
    {"surgery", Group::surgery}, {"surgeries", Group::surgery}, {"surgical", Group::surgery},
    {"surgically", Group::surgery}, {"surgeon", Group::surgery}, {"fusion", Group::surgery},
    {"fusions", Group::surgery}, {"repair", Group::surgery}, {"repairs", Group::surgery},
    {"release", Group::surgery}, {"releases", Group::surgery}, {"replacement", Group::surgery},
    {"replacements", Group::surgery}, {"reconstruction", Group::surgery},
    {"decompression", Group::surgery}, {"debridement", Group::surgery},
    {"orif", Group::surgery}, {"open reduction", Group::surgery},
    {"internal fixation", Group::surgery}, {"fixation", Group::surgery},
    {"hardware removal", Group::surgery}, {"removal of hardware", Group::surgery},
    {"excision", Group::surgery}, {"resection", Group::surgery}, {"amputation", Group::surgery},
    {"transposition", Group::surgery}, {"graft", Group::surgery}, {"grafting", Group::surgery},
    {"implant", Group::surgery}, {"implantation", Group::surgery},
    {"spinal cord stimulator", Group::surgery}, {"dorsal column stimulator", Group::surgery},
    {"scs", Group::surgery}, {"intrathecal pump", Group::surgery},
    {"pain pump", Group::surgery}, {"inpatient stay", Group::surgery},
    {"inpatient hospital stay", Group::surgery}, {"inpatient admission", Group::surgery},
    {"inpatient hospitalization", Group::surgery}, {"inpatient days", Group::surgery},
    {"hospital stay", Group::surgery}, {"length of stay", Group::surgery},
    {"overnight stay", Group::surgery},
    {"anesthesia", Group::surgery}, {"acdf", Group::surgery}, {"tlif", Group::surgery},
    {"plif", Group::surgery}, {"alif", Group::surgery}, {"xlif", Group::surgery},
    {"tka", Group::surgery}, {"tha", Group::surgery}, {"lysis", Group::surgery},
    // office visit
    {"office visit", Group::office}, {"office visits", Group::office},
    {"visit", Group::office}, {"visits", Group::office}, {"follow up", Group::office},
    {"followup", Group::office}, {"follow ups", Group::office},
    {"consultation", Group::office}, {"consultations", Group::office},
    {"consult", Group::office}, {"consults", Group::office},
    {"evaluation", Group::office}, {"evaluations", Group::office}, {"eval", Group::office},
    {"evaluate", Group::office}, {"reevaluation", Group::office},
    {"reassessment", Group::office}, {"assessment", Group::office},
    {"referral", Group::office}, {"referrals", Group::office}, {"refer", Group::office},
    {"second opinion", Group::office}, {"specialist", Group::office},
    {"appointment", Group::office}, {"appointments", Group::office},
    {"clearance", Group::office}, {"pain management", Group::office},
    {"pain medicine", Group::office}, {"exam", Group::office}, {"examination", Group::office},
    {"telemedicine", Group::office},
    // explicit other
    {"functional restoration", Group::other}, {"help program", Group::other},
    {"functional capacity", Group::other}, {"fce", Group::other},
    {"home health", Group::other}, {"home care", Group::other},
    {"transportation", Group::other}, {"gym", Group::other}, {"membership", Group::other},
    {"weight loss", Group::other}, {"detox", Group::other},
    {"detoxification", Group::other}, {"sleep study", Group::other},
    {"polysomnography", Group::other}, {"nursing", Group::other}, {"aide", Group::other},
    {"caregiver", Group::other}, {"attendant care", Group::other},
    // pharmaceutical forms
    {"tablet", Group::pharm_form}, {"tablets", Group::pharm_form},
    {"tab", Group::pharm_form}, {"tabs", Group::pharm_form},
    {"capsule", Group::pharm_form}, {"capsules", Group::pharm_form},
    {"caps", Group::pharm_form}, {"cream", Group::pharm_form}, {"creams", Group::pharm_form},
    {"ointment", Group::pharm_form}, {"gel", Group::pharm_form}, {"lotion", Group::pharm_form},
    {"patch", Group::pharm_form}, {"patches", Group::pharm_form},
    {"solution", Group::pharm_form}, {"suspension", Group::pharm_form},
    {"spray", Group::pharm_form}, {"syrup", Group::pharm_form},
    {"suppository", Group::pharm_form}, {"suppositories", Group::pharm_form},
    {"lozenge", Group::pharm_form}, {"medication", Group::pharm_form},
    {"medications", Group::pharm_form}, {"prescription", Group::pharm_form},
    {"refill", Group::pharm_form}, {"refills", Group::pharm_form},
    {"compound", Group::pharm_form}, {"compounded", Group::pharm_form},
    {"topical", Group::pharm_form}, {"transdermal", Group::pharm_form},
    // overrides
    {"medication management", Group::med_management},
    {"medications management", Group::med_management},
    {"med management", Group::med_management}, {"medication sessions", Group::med_management},
    {"medication session", Group::med_management},
    {"medication monitoring", Group::med_management},
    {"manipulation under anesthesia", Group::mua}, {"mua", Group::mua},
};
// clang-format on

struct Phrase {
    std::vector<std::string_view> words;  // after the first
    Group group;
};
using KeywordIndex = std::unordered_map<std::string_view, std::vector<Phrase>>;

const KeywordIndex& keyword_index() {
    static const KeywordIndex index = [] {
        KeywordIndex idx;
        for (const Keyword& k : kKeywords) {
            std::vector<std::string_view> words;
            std::size_t start = 0;
            while (start <= k.phrase.size()) {
                std::size_t sp = k.phrase.find(' ', start);
                if (sp == std::string_view::npos) sp = k.phrase.size();
                words.push_back(k.phrase.substr(start, sp - start));
                start = sp + 1;
            }
            const std::string_view first = words.front();
            words.erase(words.begin());
            idx[first].push_back(Phrase{std::move(words), k.group});
        }
        // Longer phrases first, so a word's longest phrase is the one recorded.
        for (auto& [word, phrases] : idx) {
            std::stable_sort(phrases.begin(), phrases.end(), [](const Phrase& a, const Phrase& b) {
                return a.words.size() > b.words.size();
            });
        }
        return idx;
    }();
    return index;
}

using parse::is_alnum;
using parse::is_alpha;
using parse::is_digit;
using parse::lower;

// The request lower-cased, and its words (runs of letters/digits) as views into that copy.
struct Words {
    std::string text;
    std::vector<std::string_view> words;
    Words() = default;
    explicit Words(std::string_view request) { assign(request); }
    // Reuses the buffers: the classifier runs for every item of every letter.
    void assign(std::string_view request) {
        text.assign(request.size(), ' ');
        words.clear();
        std::transform(request.begin(), request.end(), text.begin(), lower);
        const std::string_view t = text;
        std::size_t i = 0;
        while (i < t.size()) {
            if (!is_alnum(t[i])) {
                ++i;
                continue;
            }
            const std::size_t start = i;
            while (i < t.size() && is_alnum(t[i])) ++i;
            words.push_back(t.substr(start, i - start));
        }
    }
};

bool ends_with(std::string_view s, std::string_view suffix) noexcept {
    return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
bool starts_with(std::string_view s, std::string_view prefix) noexcept {
    return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

bool is_psych_word(std::string_view w) noexcept {
    if (starts_with(w, "neuropsych")) return true;
    if (!starts_with(w, "psych")) return false;
    return !starts_with(w, "psychotrop") && !starts_with(w, "psychopharm");
}

bool is_surgery_word(std::string_view w) noexcept {
    static constexpr std::string_view kSuffixes[] = {"ectomy", "ectomies", "otomy",  "otomies",
                                                     "plasty", "plasties", "desis",  "rrhaphy",
                                                     "scopy",  "scopic",   "scopies"};
    for (const std::string_view s : kSuffixes) {
        if (ends_with(w, s)) return true;
    }
    return false;
}

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

// First word index at which each group has a keyword.
std::array<std::size_t, kGroups> find_groups(const std::vector<std::string_view>& words) {
    std::array<std::size_t, kGroups> first;
    first.fill(kNone);
    auto hit = [&](Group g, std::size_t at) {
        auto& slot = first[static_cast<std::size_t>(g)];
        if (at < slot) slot = at;
    };
    const KeywordIndex& index = keyword_index();
    for (std::size_t w = 0; w < words.size(); ++w) {
        const std::string_view word = words[w];
        if (is_psych_word(word)) hit(Group::psych, w);
        if (is_surgery_word(word)) hit(Group::surgery, w);
        const auto it = index.find(word);
        if (it == index.end()) continue;
        for (const Phrase& p : it->second) {
            if (w + p.words.size() >= words.size()) continue;  // phrase runs past the end
            bool all = true;
            for (std::size_t k = 0; k < p.words.size() && all; ++k) {
                all = words[w + 1 + k] == p.words[k];
            }
            if (!all) continue;
            const std::size_t after = w + 1 + p.words.size();
            if (p.group == Group::imaging && after < words.size() &&
                (words[after] == "guided" || words[after] == "guidance")) {
                continue;  // the imaging guides another procedure
            }
            if (p.group == Group::surgery && w > 0 &&
                (words[w - 1] == "post" || words[w - 1] == "pre" || words[w - 1] == "status")) {
                continue;  // "post surgical": the timing of something else
            }
            hit(p.group, w);
        }
    }
    return first;
}

bool is_unit_start(std::string_view t, std::size_t p) noexcept {
    static constexpr std::string_view kUnits[] = {"mcg",   "mg",   "gm", "g",  "ml",
                                                  "units", "unit", "iu", "meq"};
    if (p < t.size() && t[p] == '%') return true;
    for (const std::string_view u : kUnits) {
        if (t.substr(p, u.size()) == u) {
            const std::size_t end = p + u.size();
            if (end >= t.size() || !is_alpha(t[end])) return true;
        }
    }
    return false;
}

// Position of the first strength ("10mg", "10/325 mg", "5%") or quantity ("#90", "qty") in the
// lower-cased text, or npos.
std::size_t find_prescription_mark(std::string_view t) noexcept {
    for (std::size_t i = 0; i < t.size(); ++i) {
        const char c = t[i];
        if (c == '#') {
            std::size_t p = i + 1;
            while (p < t.size() && t[p] == ' ') ++p;
            if (p < t.size() && is_digit(t[p])) return i;
            continue;
        }
        if (c == 'q' && t.substr(i, 3) == "qty" && (i == 0 || !is_alpha(t[i - 1])) &&
            (i + 3 >= t.size() || !is_alpha(t[i + 3]))) {
            return i;
        }
        if (is_digit(c) && (i == 0 || !is_digit(t[i - 1]))) {
            std::size_t p = i;
            while (p < t.size() && (is_digit(t[p]) || t[p] == '.' || t[p] == '/' || t[p] == ',')) {
                ++p;
            }
            if (p < t.size() && t[p] == ' ') ++p;
            if (is_unit_start(t, p)) return i;
        }
    }
    return std::string_view::npos;
}

}  // namespace

std::string classify_category(std::string_view request, bool has_drug) {
    thread_local Words w;
    w.assign(request);
    const auto first = find_groups(w.words);
    auto at = [&](Group g) { return first[static_cast<std::size_t>(g)]; };

    if (at(Group::med_management) != kNone) return "office visit";
    if (at(Group::mua) != kNone) return "surgery";

    static constexpr std::pair<Group, std::string_view> kCompeting[] = {
        {Group::psych, "psychological services"},
        {Group::pt, "physical therapy"},
        {Group::chiro, "chiropractic"},
        {Group::acupuncture, "acupuncture"},
        {Group::injection, "injection"},
        {Group::imaging, "imaging"},
        {Group::lab, "laboratory"},
        {Group::dme, "dme"},
        {Group::surgery, "surgery"},
    };
    const bool surgery_competes = at(Group::office) == kNone && !has_drug;
    std::size_t best = kNone;
    std::string_view best_name;
    for (const auto& [group, name] : kCompeting) {
        if (group == Group::surgery && !surgery_competes) continue;
        if (at(group) < best) {
            best = at(group);
            best_name = name;
        }
    }
    if (best != kNone) return std::string(best_name);
    if (at(Group::other) != kNone) return "other";
    if (has_drug) return "pharmaceutical";
    if (at(Group::office) != kNone) return "office visit";
    if (at(Group::surgery) != kNone) return "surgery";
    if (at(Group::pharm_form) != kNone ||
        find_prescription_mark(w.text) != std::string_view::npos) {
        return "pharmaceutical";
    }
    return "other";
}

std::vector<std::string> unknown_drug_words(std::string_view request, const DrugVocabulary& vocab) {
    std::vector<std::string> out;
    if (vocab.match(request)) return out;
    if (classify_category(request, false) != "pharmaceutical") return out;
    const Words w(request);
    const std::size_t mark = find_prescription_mark(w.text);
    if (mark == std::string_view::npos) return out;

    // Words that describe a prescription rather than name the drug.
    // clang-format off
    static constexpr std::string_view kGeneric[] = {
        "retrospective", "prospective", "retro", "request", "requested", "for", "of", "the", "and",
        "with", "in", "a", "an", "to", "per", "x", "tablet", "tablets", "tab", "tabs", "capsule",
        "capsules", "cap", "caps", "cream", "creams", "ointment", "gel", "lotion", "patch",
        "patches", "solution", "suspension", "spray", "syrup", "liquid", "powder", "drops",
        "suppository", "oral", "topical", "transdermal", "nasal", "er", "xr", "sr", "cr", "la",
        "xl", "dr", "ir", "ec", "od", "ds", "hcl", "hydrochloride", "sodium", "potassium",
        "calcium", "citrate", "sulfate", "acetate", "bitartrate", "maleate", "tartrate",
        "succinate", "mesylate", "besylate", "fumarate", "phosphate", "bromide", "chloride",
        "extended", "release", "delayed", "immediate", "base", "compound", "compounded", "unknown",
        "quantity", "qty", "dos", "date", "service", "medication", "medications", "prescription",
        "refill", "refills", "supply", "day", "days", "daily", "dose", "mg", "mcg", "ml", "gm",
        "unit", "units", "generic", "brand", "one", "two", "take", "use", "apply", "po", "bid",
        "tid", "qid", "prn", "qhs", "hs", "trial", "continued", "additional", "new", "left",
        "right", "bilateral", "percent", "strength", "pain", "relief", "start", "started",
        "continue", "begin", "given", "taking", "using", "prescribed", "was", "is", "were", "be",
        "said", "patient", "sample", "samples",
        // Body parts: fragments such as "bilateral lower extremities QTY: 2" name no drug.
        "lower", "upper", "extremity", "extremities", "spine", "lumbar", "cervical", "thoracic",
        "knee", "knees", "shoulder", "shoulders", "hip", "hips", "wrist", "hand", "hands", "elbow",
        "ankle", "foot", "feet", "neck", "back", "leg", "legs", "arm", "arms",
    };
    // clang-format on
    auto is_generic = [](std::string_view word) {
        for (const std::string_view g : kGeneric) {
            if (word == g) return true;
        }
        return false;
    };
    // The name is the run of words right before the strength: walk back from it, skipping form
    // words ("cream", "er") until the name starts, and stop at the first word that cannot be part
    // of it, so a sentence before the prescription is not reported.
    constexpr std::size_t kMaxNameWords = 3;
    constexpr std::size_t kMaxWordLength = 40;  // longer "words" are noise, not drug names
    std::size_t end = 0;
    while (end < w.words.size() &&
           static_cast<std::size_t>(w.words[end].data() - w.text.data()) < mark) {
        ++end;
    }
    for (std::size_t k = end; k-- > 0 && out.size() < kMaxNameWords;) {
        const std::string_view word = w.words[k];
        const bool usable = word.size() >= 2 && word.size() <= kMaxWordLength &&
                            std::all_of(word.begin(), word.end(), is_alpha) && !is_generic(word);
        if (usable) {
            out.emplace_back(word);
        } else if (!out.empty() || word.size() > kMaxWordLength) {
            break;
        }
    }
    std::reverse(out.begin(), out.end());
    return out;
}

}  // namespace imrdex
