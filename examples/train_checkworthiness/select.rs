//! The model selection behind the README's table: each candidate measured by its average
//! precision on dev (models trained on `train.tsv` alone) and on the news training articles
//! scored out of fold by article. No test split is read here.

use claims::text::Embeddings;
use claims::text::checkworthiness::ModelError;

use crate::data::{Example, NewsSentence};
use crate::head::{HeadOptions, Row, average_precision, fit, heads_out_of_fold_by_article, rows};
use crate::train::{
    TrainOptions, debates_out_of_fold, news_scores_out_of_fold, scores, train, with_news,
};

/// The n-gram scores one base setting gives: dev by a model of `train.tsv` (and the news), the
/// training sentences of `train.tsv` out of fold, the news articles out of fold by article.
struct BaseScores {
    dev: Vec<(f32, bool)>,
    train: Vec<(f32, bool)>,
    news: Vec<(f32, bool)>,
}

fn base_scores(
    train_set: &[Example],
    dev: &[Example],
    news: &[NewsSentence],
    options: &TrainOptions,
) -> Result<BaseScores, ModelError> {
    let model = train(&with_news(train_set, news, options), options)?;
    Ok(BaseScores {
        dev: scores(&model, dev),
        train: debates_out_of_fold(train_set, news, options)?,
        news: news_scores_out_of_fold(&model, train_set, news, options)?,
    })
}

/// Dev AP and news out-of-fold AP of a head over the base scores.
fn head_aps(
    base: &BaseScores,
    texts: &Texts,
    news: &[NewsSentence],
    embeddings: &Embeddings,
    options: &HeadOptions,
    folds: usize,
) -> (f64, f64) {
    let debate_rows = rows(&base.train, &texts.train, embeddings, 1.0);
    let news_rows = rows(&base.news, &texts.news, embeddings, options.news_weight);
    let all: Vec<Row> = debate_rows.iter().chain(&news_rows).cloned().collect();
    let head = fit(&all, options.l2);
    let dev_scored: Vec<(f32, bool)> = rows(&base.dev, &texts.dev, embeddings, 1.0)
        .iter()
        .map(|row| (head.score(&row.inputs), row.check_worthy))
        .collect();
    let news_scored =
        heads_out_of_fold_by_article(&debate_rows, &news_rows, news, folds, options.l2);
    (
        average_precision(&dev_scored),
        average_precision(&news_scored),
    )
}

/// The texts of every sentence the selection reads.
struct Texts<'a> {
    dev: Vec<&'a str>,
    train: Vec<&'a str>,
    news: Vec<&'a str>,
}

/// Prints one line per candidate: dev AP, news out-of-fold AP and their mean.
pub fn compare(
    train_set: &[Example],
    dev: &[Example],
    news: &[NewsSentence],
    embeddings: &Embeddings,
) -> Result<(), ModelError> {
    let texts = Texts {
        dev: dev.iter().map(|e| e.text.as_str()).collect(),
        train: train_set.iter().map(|e| e.text.as_str()).collect(),
        news: news.iter().map(|s| s.example.text.as_str()).collect(),
    };
    println!("candidate | dev AP | news AP (out of fold) | mean");
    // The head's settings are searched over the base of today's n-gram model; over the n-gram
    // model trained with the news, only the head's default is measured.
    let grid: Vec<HeadOptions> = [1.0, 5.0, 10.0, 20.0]
        .into_iter()
        .flat_map(|news_weight| {
            [1.0, 100.0, 1000.0, 10000.0].map(|l2| HeadOptions { news_weight, l2 })
        })
        .collect();
    for base_news_weight in [0usize, 10] {
        let options = TrainOptions {
            news_weight: base_news_weight,
            ..TrainOptions::default()
        };
        let base = base_scores(train_set, dev, news, &options)?;
        let (dev_ap, news_ap) = (average_precision(&base.dev), average_precision(&base.news));
        println!(
            "n-grams, news weight {base_news_weight} | {dev_ap:.4} | {news_ap:.4} | {:.4}",
            (dev_ap + news_ap) / 2.0
        );
        let heads = if base_news_weight == 0 {
            grid.clone()
        } else {
            vec![HeadOptions::default()]
        };
        for head in heads {
            let (dev_ap, news_ap) = head_aps(&base, &texts, news, embeddings, &head, options.folds);
            println!(
                "  stacked head over it, news weight {}, L2 {} | {dev_ap:.4} | {news_ap:.4} | {:.4}",
                head.news_weight,
                head.l2,
                (dev_ap + news_ap) / 2.0
            );
        }
    }
    Ok(())
}
