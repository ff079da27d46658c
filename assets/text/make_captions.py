#!/usr/bin/env python3
"""Writes fmnist-captions.tsv: captions for the ten Fashion-MNIST classes (issue 8).

Each caption is a template filled with a name for the class. Some names and some templates are
held out entirely: every caption that uses a held-out name or a held-out template is split
"heldout" and never seen in training; the rest are split "train". Re-run to regenerate:
    python3 assets/text/make_captions.py > assets/text/fmnist-captions.tsv
"""

# class id -> (training names, held-out names); a name is "noun" or "noun|plural" for words used without "a"
NAMES = {
    0: (["t-shirt", "tee", "top", "tank top"], ["crop top", "short-sleeved tee"]),
    1: (["trousers|plural", "pants|plural", "jeans|plural", "slacks|plural"], ["chinos|plural", "leggings|plural"]),
    2: (["pullover", "sweater", "jumper"], ["knit sweater", "sweatshirt"]),
    3: (["dress", "gown", "sundress"], ["evening dress", "frock"]),
    4: (["coat", "jacket", "overcoat"], ["parka", "trench coat"]),
    5: (["sandal", "flip-flop", "open-toe shoe"], ["slide sandal", "strappy heel"]),
    6: (["shirt", "button-up shirt", "blouse"], ["flannel shirt", "dress shirt"]),
    7: (["sneaker", "running shoe", "trainer"], ["tennis shoe", "athletic shoe"]),
    8: (["bag", "handbag", "purse", "tote"], ["backpack", "shoulder bag"]),
    9: (["ankle boot", "boot", "bootie"], ["chelsea boot", "winter boot"]),
}

# {np}: the name with its article ("a sneaker", "an overcoat", "jeans"); {n}: the bare name
TRAIN_TEMPLATES = [
    "a photo of {np}", "{np}", "{n}", "a picture of {np}", "an image of {np}",
    "a black and white photo of {np}", "a product photo of {np}", "a small {n}", "a woman's {n}", "a man's {n}",
]
HELDOUT_TEMPLATES = [
    "a grayscale picture of {np}", "a low resolution photo of the {n}", "someone's {n}", "a catalogue image of {np}",
]


def phrase(name):
    noun, _, kind = name.partition("|")
    if kind == "plural":
        return noun, noun
    return noun, ("an " if noun[0] in "aeiou" else "a ") + noun


def main():
    print("split\tlabel\tcaption")
    seen = set()
    for label, (train_names, heldout_names) in NAMES.items():
        for names, names_heldout in ((train_names, False), (heldout_names, True)):
            for name in names:
                n, np = phrase(name)
                for templates, templates_heldout in ((TRAIN_TEMPLATES, False), (HELDOUT_TEMPLATES, True)):
                    for t in templates:
                        split = "heldout" if names_heldout or templates_heldout else "train"
                        caption = t.format(n=n, np=np)
                        if caption not in seen:  # plural names make "{np}" and "{n}" the same caption
                            seen.add(caption)
                            print(f"{split}\t{label}\t{caption}")


if __name__ == "__main__":
    main()
