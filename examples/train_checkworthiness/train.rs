//! Fitting the model: logistic regression with AdaGrad over the library's hashed features,
//! and the decision threshold chosen on out-of-fold scores.

use claims::text::checkworthiness::{
    Features, Genre, HASH_BITS, Model, ModelError, Scorer, Thresholds, sigmoid,
};

use crate::data::{Example, NewsSentence};

/// Training hyper-parameters. The defaults maximise the mean average precision of the dev set
/// and of the news training articles scored out of fold (see the README).
#[derive(Debug, Clone, PartialEq)]
pub struct TrainOptions {
    /// The model has `2^hash_bits` weights.
    pub hash_bits: u32,
    pub epochs: usize,
    /// AdaGrad base learning rate.
    pub learning_rate: f32,
    /// L2 penalty, applied to the weights a sentence touches.
    pub l2: f32,
    /// Each news training sentence counts this many times against one debate sentence.
    pub news_weight: usize,
    /// Folds of the out-of-fold scores the threshold is chosen on: debate sentences at random,
    /// news sentences by article.
    pub folds: usize,
    pub seed: u64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        Self {
            hash_bits: 20,
            epochs: 3,
            learning_rate: 0.1,
            l2: 1e-3,
            news_weight: 0,
            folds: 5,
            seed: 0x5EED_C1A1_5EED_C1A1,
        }
    }
}

/// Precision, recall and F1 of the check-worthy class.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluation {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub n: usize,
}

/// Precision, recall and F1 of the check-worthy class at the scorer's threshold for `genre`.
pub fn evaluate(scorer: &Scorer, examples: &[Example], genre: Genre) -> Evaluation {
    let scored: Vec<(f32, bool)> = examples
        .iter()
        .map(|example| (scorer.score(&example.text), example.check_worthy))
        .collect();
    evaluate_scores(&scored, scorer.thresholds().of(genre))
}

pub fn evaluate_scores(scored: &[(f32, bool)], threshold: f32) -> Evaluation {
    let (mut true_positives, mut false_positives, mut false_negatives) = (0usize, 0usize, 0usize);
    for &(score, check_worthy) in scored {
        match (score >= threshold, check_worthy) {
            (true, true) => true_positives += 1,
            (true, false) => false_positives += 1,
            (false, true) => false_negatives += 1,
            (false, false) => {}
        }
    }
    let ratio = |part: usize, whole: usize| {
        if whole == 0 {
            0.0
        } else {
            part as f64 / whole as f64
        }
    };
    let precision = ratio(true_positives, true_positives + false_positives);
    let recall = ratio(true_positives, true_positives + false_negatives);
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    Evaluation {
        precision,
        recall,
        f1,
        n: scored.len(),
    }
}

/// What the decision thresholds were chosen on, and the figures there.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    pub thresholds: Thresholds,
    /// Out-of-fold scores of the debate sentences at the article threshold: each fold is
    /// scored by a model trained without it.
    pub debates: Evaluation,
    /// The same scores at the transcript threshold.
    pub transcripts: Evaluation,
    /// Out-of-fold scores of the news training articles, folded by article, at the article
    /// threshold.
    pub news: Evaluation,
    /// The out-of-fold scores themselves, in the order of the sentences given.
    pub debate_scores: Vec<(f32, bool)>,
    pub news_scores: Vec<(f32, bool)>,
}

/// Trains on the debate sentences and the news training articles (each repeated
/// `options.news_weight` times), then chooses the thresholds on their out-of-fold scores (see
/// [`Selection::choose`]). The same inputs always give a byte-identical model.
pub fn train_and_select(
    debates: &[Example],
    news: &[NewsSentence],
    options: &TrainOptions,
) -> Result<(Model, Selection), ModelError> {
    let model = train(&with_news(debates, news, options), options)?;
    let debate_scores = debates_out_of_fold(debates, news, options)?;
    let news_scores = news_scores_out_of_fold(&model, debates, news, options)?;
    let selection = Selection::choose(debate_scores, news_scores)?;
    Ok((model.with_thresholds(selection.thresholds), selection))
}

impl Selection {
    /// The article threshold maximises the mean F1 of the debates and of the news articles,
    /// both scored out of fold: news copy is what extraction reads, and the news articles are
    /// too few to choose on alone. The transcript threshold maximises the F1 of the debates,
    /// which are transcripts, alone.
    pub fn choose(
        debate_scores: Vec<(f32, bool)>,
        news_scores: Vec<(f32, bool)>,
    ) -> Result<Selection, ModelError> {
        let thresholds = Thresholds::new(
            best_mean_threshold(&[&debate_scores, &news_scores]),
            best_mean_threshold(&[&debate_scores]),
        )?;
        let article = thresholds.of(Genre::Article);
        Ok(Selection {
            thresholds,
            debates: evaluate_scores(&debate_scores, article),
            transcripts: evaluate_scores(&debate_scores, thresholds.of(Genre::Transcript)),
            news: evaluate_scores(&news_scores, article),
            debate_scores,
            news_scores,
        })
    }
}

/// Scores the debate sentences in `options.folds` seeded random folds, each by a model
/// trained on the other folds and on all the news; in the order of `debates`.
pub fn debates_out_of_fold(
    debates: &[Example],
    news: &[NewsSentence],
    options: &TrainOptions,
) -> Result<Vec<(f32, bool)>, ModelError> {
    let mut scored = vec![(0.0, false); debates.len()];
    for held_out in debate_folds(debates.len(), options) {
        let kept: Vec<Example> = (0..debates.len())
            .filter(|i| held_out.binary_search(i).is_err())
            .map(|i| debates[i].clone())
            .collect();
        let model = train(&with_news(&kept, news, options), options)?;
        for &i in &held_out {
            scored[i] = (model.score(&debates[i].text), debates[i].check_worthy);
        }
    }
    Ok(scored)
}

/// The indices of `count` debate sentences in `options.folds` seeded random folds (sorted
/// within each fold, so membership tests can search them).
pub fn debate_folds(count: usize, options: &TrainOptions) -> Vec<Vec<usize>> {
    let folds = options.folds.max(2);
    let mut order: Vec<usize> = (0..count).collect();
    // A different stream from the training shuffles, so folds do not follow visiting order.
    Rng::new(options.seed ^ 0xF01D).shuffle(&mut order);
    let mut held_out = vec![Vec::new(); folds];
    for (position, &index) in order.iter().enumerate() {
        held_out[position % folds].push(index);
    }
    for fold in &mut held_out {
        fold.sort_unstable();
    }
    held_out
}

/// The debate sentences followed by the news sentences, each repeated `options.news_weight`
/// times.
pub fn with_news(
    debates: &[Example],
    news: &[NewsSentence],
    options: &TrainOptions,
) -> Vec<Example> {
    let mut examples = debates.to_vec();
    for _ in 0..options.news_weight {
        examples.extend(news.iter().map(|sentence| sentence.example.clone()));
    }
    examples
}

/// The news sentences scored out of fold, in their order: by `model` itself when it was
/// trained without any news, otherwise by [`news_out_of_fold`].
pub fn news_scores_out_of_fold(
    model: &Model,
    debates: &[Example],
    news: &[NewsSentence],
    options: &TrainOptions,
) -> Result<Vec<(f32, bool)>, ModelError> {
    if options.news_weight == 0 {
        let examples: Vec<Example> = news.iter().map(|s| s.example.clone()).collect();
        Ok(scores(model, &examples))
    } else {
        news_out_of_fold(debates, news, options)
    }
}

/// Scores each fold of articles with a model trained without them; folds go by article, so
/// no article is scored by a model that saw part of it. In the order of `news`.
fn news_out_of_fold(
    debates: &[Example],
    news: &[NewsSentence],
    options: &TrainOptions,
) -> Result<Vec<(f32, bool)>, ModelError> {
    let mut scored = vec![(0.0, false); news.len()];
    for held_out in article_folds(news, options.folds) {
        let kept: Vec<NewsSentence> = (0..news.len())
            .filter(|i| held_out.binary_search(i).is_err())
            .map(|i| news[i].clone())
            .collect();
        let model = train(&with_news(debates, &kept, options), options)?;
        for &i in &held_out {
            let example = &news[i].example;
            scored[i] = (model.score(&example.text), example.check_worthy);
        }
    }
    Ok(scored)
}

/// The indices of the news sentences in `folds` folds of whole articles, articles dealt to the
/// folds in their order of first appearance (sorted within each fold).
pub fn article_folds(news: &[NewsSentence], folds: usize) -> Vec<Vec<usize>> {
    let mut articles: Vec<&str> = Vec::new();
    for sentence in news {
        if !articles.contains(&sentence.article.as_str()) {
            articles.push(&sentence.article);
        }
    }
    let folds = folds.clamp(1, articles.len().max(1));
    let mut held_out = vec![Vec::new(); folds];
    for (index, sentence) in news.iter().enumerate() {
        let position = articles
            .iter()
            .position(|&article| article == sentence.article)
            .unwrap_or(0);
        held_out[position % folds].push(index);
    }
    held_out
}

pub fn scores(model: &Model, examples: &[Example]) -> Vec<(f32, bool)> {
    examples
        .iter()
        .map(|example| (model.score(&example.text), example.check_worthy))
        .collect()
}

/// The cut maximising the mean F1 over the non-empty score sets, placed halfway between two
/// neighbouring scores; 0.5 when there is nothing to choose on.
pub fn best_mean_threshold(sets: &[&[(f32, bool)]]) -> f32 {
    let sets: Vec<&[(f32, bool)]> = sets.iter().copied().filter(|s| !s.is_empty()).collect();
    let mut cuts: Vec<f32> = sets
        .iter()
        .flat_map(|s| s.iter().map(|&(score, _)| score))
        .collect();
    cuts.sort_by(f32::total_cmp);
    cuts.dedup();
    let mut best = (f64::NEG_INFINITY, 0.5);
    for pair in cuts.windows(2) {
        let cut = (pair[0] + pair[1]) / 2.0;
        let mean = sets
            .iter()
            .map(|set| evaluate_scores(set, cut).f1)
            .sum::<f64>()
            / sets.len() as f64;
        if mean > best.0 {
            best = (mean, cut);
        }
    }
    best.1
}

/// Logistic regression with AdaGrad over the hashed features, visiting the examples in a
/// seeded shuffled order; the threshold is left at 0.5.
pub fn train(examples: &[Example], options: &TrainOptions) -> Result<Model, ModelError> {
    let hash_bits = options
        .hash_bits
        .clamp(*HASH_BITS.start(), *HASH_BITS.end());
    let dim = 1usize << hash_bits;
    let encoded: Vec<(Features, f32)> = examples
        .iter()
        .map(|example| {
            let label = if example.check_worthy { 1.0 } else { 0.0 };
            (Features::of(&example.text, hash_bits), label)
        })
        .collect();
    let mut weights = vec![0f32; dim];
    let mut squared_gradients = vec![0f32; dim];
    let (mut bias, mut bias_squared_gradient) = (0f32, 0f32);
    let mut order: Vec<usize> = (0..encoded.len()).collect();
    let mut rng = Rng::new(options.seed);
    const EPSILON: f32 = 1e-8;
    for _ in 0..options.epochs {
        rng.shuffle(&mut order);
        for &index in &order {
            let (features, label) = &encoded[index];
            let value = features.value;
            let dot: f32 = features.indices.iter().map(|&f| weights[f as usize]).sum();
            let error = sigmoid(bias + value * dot) - label;
            bias_squared_gradient += error * error;
            bias -= options.learning_rate * error / (bias_squared_gradient + EPSILON).sqrt();
            for &feature in &features.indices {
                let feature = feature as usize;
                let gradient = error * value + options.l2 * weights[feature];
                squared_gradients[feature] += gradient * gradient;
                weights[feature] -= options.learning_rate * gradient
                    / (squared_gradients[feature] + EPSILON).sqrt();
            }
        }
    }
    Model::from_weights(hash_bits, bias, &weights)
}

/// SplitMix64 generator: small, seedable and identical on every platform. The shipped model's
/// bytes depend on its stream, so it must not change.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut x = self.0;
        x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        x ^ (x >> 31)
    }

    /// Fisher-Yates shuffle.
    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::data::test_support::{example, news_sentence};

    fn tiny_model() -> Model {
        let mut examples = Vec::new();
        for year in 1990..2010 {
            examples.push(example(
                &format!("Unemployment rose 5 percent in {year} under the governor."),
                true,
            ));
            examples.push(example(
                &format!("The deficit was $ {year} billion last year."),
                true,
            ));
            examples.push(example(
                "Thank you very much, it is good to be here.",
                false,
            ));
            examples.push(example("I think we need to look forward together.", false));
        }
        let options = TrainOptions {
            hash_bits: 12,
            ..TrainOptions::default()
        };
        train(&examples, &options).expect("a valid model")
    }

    #[test]
    fn training_separates_a_synthetic_set() {
        let model = tiny_model();
        let worthy = model.score("Unemployment rose 5 percent in 2003 under the governor.");
        let unworthy = model.score("Thank you very much, it is good to be here.");
        assert!(worthy > 0.5 && unworthy < 0.5, "{worthy} vs {unworthy}");
        assert!(model.score("The deficit was $ 1995 billion last year.") >= 0.5);
    }

    #[test]
    fn training_is_deterministic() {
        assert_eq!(tiny_model().to_bytes(), tiny_model().to_bytes());
    }

    #[test]
    fn threshold_maximises_the_mean_f1_of_the_sets() {
        let scored = [
            (0.9, true),
            (0.7, true),
            (0.6, false),
            (0.4, true),
            (0.2, false),
        ];
        // Alone, the best cut keeps the top four (F1 6/7).
        assert!((best_mean_threshold(&[&scored]) - 0.3).abs() < 1e-6);
        // A second set whose positives all score above 0.65 moves the cut up.
        let other = [(0.8, true), (0.66, true), (0.62, false), (0.3, false)];
        assert!((best_mean_threshold(&[&scored, &other]) - 0.64).abs() < 1e-6);
        // Empty sets are ignored; with nothing to choose on, the cut is 0.5.
        assert!((best_mean_threshold(&[&scored, &[]]) - 0.3).abs() < 1e-6);
        assert_eq!(best_mean_threshold(&[&[], &[]]), 0.5);
    }

    #[test]
    fn selection_is_deterministic_and_scores_news_out_of_fold() {
        let debates: Vec<Example> = (0..40)
            .flat_map(|i| {
                [
                    example(&format!("The deficit rose {i} percent last year."), true),
                    example("I think we can do better together.", false),
                ]
            })
            .collect();
        let news: Vec<NewsSentence> = (0..6)
            .flat_map(|i| {
                let article = format!("a{i}");
                [
                    news_sentence(&article, &format!("The toll rose to {i}00 people."), true),
                    news_sentence(&article, "It is a tragedy, the mayor said.", false),
                ]
            })
            .collect();
        let options = TrainOptions {
            hash_bits: 12,
            folds: 3,
            news_weight: 2,
            ..TrainOptions::default()
        };
        let (model, selection) = train_and_select(&debates, &news, &options).expect("valid");
        let (again, _) = train_and_select(&debates, &news, &options).expect("valid");
        assert_eq!(model.to_bytes(), again.to_bytes());
        assert_eq!(model.thresholds(), selection.thresholds);
        assert_eq!((selection.debates.n, selection.news.n), (80, 12));
        assert_eq!(selection.news.f1, 1.0, "{selection:?}");
    }
}
