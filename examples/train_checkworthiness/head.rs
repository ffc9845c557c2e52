//! Fitting the stacked head: logistic regression over the n-gram model's out-of-fold logit and
//! the sentence's static embedding, by Newton's method with an L2 penalty.

use claims::text::Embeddings;
use claims::text::checkworthiness::{Head, ModelError, head_inputs, sha256};

use crate::data::{Example, NewsSentence};
use crate::train::{Selection, TrainOptions, article_folds, debate_folds};

/// The head's settings. The defaults maximise the mean average precision of dev and of the
/// news training articles scored out of fold (see the README).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeadOptions {
    /// Each news training sentence counts this many times against one debate sentence.
    pub news_weight: f64,
    /// L2 penalty on the weights (the bias unpenalised).
    pub l2: f64,
}

impl Default for HeadOptions {
    fn default() -> Self {
        Self {
            news_weight: 10.0,
            l2: 1000.0,
        }
    }
}

/// The head's training rows: each sentence's out-of-fold n-gram score and embedding.
pub fn rows(
    scored: &[(f32, bool)],
    texts: &[&str],
    embeddings: &Embeddings,
    weight: f64,
) -> Vec<Row> {
    scored
        .iter()
        .zip(texts)
        .map(|(&(score, check_worthy), text)| Row {
            inputs: head_inputs(score, &embeddings.embed(text)),
            check_worthy,
            weight,
        })
        .collect()
}

/// Fits the head on the debates and the news training articles (their n-gram scores out of
/// fold, as the n-gram model's selection gives them), then chooses its thresholds as the
/// n-gram model's are chosen, on the head's own out-of-fold scores of the debates (random
/// folds) and of the news articles (folds of articles).
pub fn train_head_and_select(
    debates: &[Example],
    news: &[NewsSentence],
    ngrams: &Selection,
    embeddings: &Embeddings,
    ngrams_bytes: &[u8],
    options: &HeadOptions,
    folds: &TrainOptions,
) -> Result<(Head, Selection), ModelError> {
    let debate_texts: Vec<&str> = debates.iter().map(|e| e.text.as_str()).collect();
    let news_texts: Vec<&str> = news.iter().map(|s| s.example.text.as_str()).collect();
    let debate_rows = rows(&ngrams.debate_scores, &debate_texts, embeddings, 1.0);
    let news_rows = rows(
        &ngrams.news_scores,
        &news_texts,
        embeddings,
        options.news_weight,
    );
    let all: Vec<Row> = debate_rows.iter().chain(&news_rows).cloned().collect();
    let fitted = fit(&all, options.l2);

    let mut debate_oof = vec![(0.0, false); debates.len()];
    for held_out in debate_folds(debates.len(), folds) {
        let kept: Vec<Row> = debate_rows
            .iter()
            .enumerate()
            .filter(|(i, _)| held_out.binary_search(i).is_err())
            .map(|(_, row)| row.clone())
            .chain(news_rows.iter().cloned())
            .collect();
        let head = fit(&kept, options.l2);
        for &i in &held_out {
            debate_oof[i] = (
                head.score(&debate_rows[i].inputs),
                debate_rows[i].check_worthy,
            );
        }
    }
    let news_oof =
        heads_out_of_fold_by_article(&debate_rows, &news_rows, news, folds.folds, options.l2);
    let selection = Selection::choose(debate_oof, news_oof)?;
    let head = Head::new(
        fitted.weights.iter().map(|&w| w as f32).collect(),
        fitted.bias as f32,
        sha256(ngrams_bytes),
        *embeddings.sha256(),
    )
    .with_thresholds(selection.thresholds);
    Ok((head, selection))
}

/// The news rows scored in `folds` folds of whole articles, each by a head fitted on every
/// debate row and the news rows of the other folds; in the order of `news`.
pub fn heads_out_of_fold_by_article(
    debate_rows: &[Row],
    news_rows: &[Row],
    news: &[NewsSentence],
    folds: usize,
    l2: f64,
) -> Vec<(f32, bool)> {
    let mut scored = vec![(0.0, false); news.len()];
    for held_out in article_folds(news, folds) {
        let kept: Vec<Row> = debate_rows
            .iter()
            .cloned()
            .chain(
                news_rows
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| held_out.binary_search(i).is_err())
                    .map(|(_, row)| row.clone()),
            )
            .collect();
        let head = fit(&kept, l2);
        for &i in &held_out {
            scored[i] = (head.score(&news_rows[i].inputs), news_rows[i].check_worthy);
        }
    }
    scored
}

/// One training row of the head: its inputs, its label and how much it counts.
#[derive(Clone)]
pub struct Row {
    pub inputs: Vec<f32>,
    pub check_worthy: bool,
    pub weight: f64,
}

/// The fitted coefficients: one per input, then the bias.
pub struct Fit {
    pub weights: Vec<f64>,
    pub bias: f64,
}

impl Fit {
    pub fn score(&self, inputs: &[f32]) -> f32 {
        let z: f64 = self.bias
            + self
                .weights
                .iter()
                .zip(inputs)
                .map(|(w, &x)| w * f64::from(x))
                .sum::<f64>();
        (1.0 / (1.0 + (-z).exp())) as f32
    }
}

/// Maximises the weighted log-likelihood minus `l2 / 2` times the squared weights (the bias
/// unpenalised). Newton steps on a strictly convex objective: the same rows always give the
/// same fit, in a handful of iterations.
pub fn fit(rows: &[Row], l2: f64) -> Fit {
    let inputs = rows.first().map_or(0, |row| row.inputs.len());
    // The bias is the last coordinate.
    let dim = inputs + 1;
    let mut beta = vec![0f64; dim];
    let mut x = vec![0f64; dim];
    for _ in 0..50 {
        let mut gradient = vec![0f64; dim];
        let mut hessian = vec![0f64; dim * dim];
        for row in rows {
            for (slot, &value) in x.iter_mut().zip(&row.inputs) {
                *slot = f64::from(value);
            }
            x[inputs] = 1.0;
            let z: f64 = beta.iter().zip(&x).map(|(b, v)| b * v).sum();
            let p = 1.0 / (1.0 + (-z).exp());
            let y = if row.check_worthy { 1.0 } else { 0.0 };
            let error = row.weight * (p - y);
            let curvature = row.weight * (p * (1.0 - p)).max(1e-12);
            for i in 0..dim {
                gradient[i] += error * x[i];
                let scaled = curvature * x[i];
                let line = &mut hessian[i * dim..i * dim + i + 1];
                for (cell, &xj) in line.iter_mut().zip(&x[..=i]) {
                    *cell += scaled * xj;
                }
            }
        }
        for i in 0..inputs {
            gradient[i] += l2 * beta[i];
            hessian[i * dim + i] += l2;
        }
        let step = solve_symmetric(&mut hessian, dim, &gradient);
        let largest = step.iter().fold(0f64, |m, s| m.max(s.abs()));
        for (b, s) in beta.iter_mut().zip(&step) {
            *b -= s;
        }
        if largest < 1e-9 {
            break;
        }
    }
    let bias = beta.pop().unwrap_or(0.0);
    Fit {
        weights: beta,
        bias,
    }
}

/// Solves `A x = b` for a symmetric positive definite `A` given by its lower triangle
/// (row-major, `dim` by `dim`), by Cholesky factorisation in place.
fn solve_symmetric(a: &mut [f64], dim: usize, b: &[f64]) -> Vec<f64> {
    for j in 0..dim {
        let mut diagonal = a[j * dim + j];
        for k in 0..j {
            diagonal -= a[j * dim + k] * a[j * dim + k];
        }
        let diagonal = diagonal.max(1e-12).sqrt();
        a[j * dim + j] = diagonal;
        for i in j + 1..dim {
            let mut value = a[i * dim + j];
            for k in 0..j {
                value -= a[i * dim + k] * a[j * dim + k];
            }
            a[i * dim + j] = value / diagonal;
        }
    }
    let mut y = b.to_vec();
    for i in 0..dim {
        for k in 0..i {
            y[i] -= a[i * dim + k] * y[k];
        }
        y[i] /= a[i * dim + i];
    }
    for i in (0..dim).rev() {
        for k in i + 1..dim {
            y[i] -= a[k * dim + i] * y[k];
        }
        y[i] /= a[i * dim + i];
    }
    y
}

/// Average precision of the check-worthy class: the mean, over the check-worthy sentences, of
/// the precision among the sentences scoring at least as high (ties broken pessimistically).
pub fn average_precision(scored: &[(f32, bool)]) -> f64 {
    let mut sorted = scored.to_vec();
    // Within a tie, the not-check-worthy first, so a tie never flatters.
    sorted.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let (mut hits, mut total) = (0usize, 0f64);
    for (rank, &(_, check_worthy)) in sorted.iter().enumerate() {
        if check_worthy {
            hits += 1;
            total += hits as f64 / (rank + 1) as f64;
        }
    }
    if hits == 0 { 0.0 } else { total / hits as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newton_fit_separates_by_the_informative_input() {
        let rows: Vec<Row> = (0..200)
            .map(|i| {
                let signal = (i % 2) as f32 * 2.0 - 1.0;
                let noise = ((i * 37) % 11) as f32 / 11.0 - 0.5;
                Row {
                    inputs: vec![signal + 0.8 * noise, noise],
                    check_worthy: i % 2 == 1,
                    weight: 1.0,
                }
            })
            .collect();
        let fit = fit(&rows, 1.0);
        assert!(fit.weights[0] > 1.0, "{:?}", fit.weights);
        assert!(
            fit.weights[0] > 3.0 * fit.weights[1].abs(),
            "{:?}",
            fit.weights
        );
        assert!(fit.score(&[1.0, 0.0]) > 0.9 && fit.score(&[-1.0, 0.0]) < 0.1);
    }

    #[test]
    fn cholesky_solves_a_small_system() {
        // [[4, 2], [2, 3]] x = [2, 5] has x = [-0.5, 2].
        let mut a = vec![4.0, 0.0, 2.0, 3.0];
        let x = solve_symmetric(&mut a, 2, &[2.0, 5.0]);
        assert!(
            (x[0] + 0.5).abs() < 1e-12 && (x[1] - 2.0).abs() < 1e-12,
            "{x:?}"
        );
    }

    #[test]
    fn average_precision_counts_ties_against_the_model() {
        assert_eq!(average_precision(&[(0.9, true), (0.5, false)]), 1.0);
        // Precision 1/2 at the first hit, 2/3 at the second.
        let ap = average_precision(&[(0.9, false), (0.8, true), (0.1, false), (0.7, true)]);
        assert!((ap - (0.5 + 2.0 / 3.0) / 2.0).abs() < 1e-12);
        assert_eq!(average_precision(&[(0.5, true), (0.5, false)]), 0.5);
    }
}
