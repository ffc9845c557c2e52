use crate::ui::Ui;

use super::CommandError;

/// Print the man page (roff)
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  claims man > claims.1 && man ./claims.1")]
pub struct Args {}

pub fn run(_args: Args, ui: &mut Ui) -> Result<(), CommandError> {
    clap_mangen::Man::new(super::command()).render(ui.out())?;
    Ok(())
}
