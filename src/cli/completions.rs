use crate::ui::Ui;

use super::CommandError;

/// Print shell completions
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    claims completions bash > ~/.local/share/bash-completion/completions/claims\n  \
    claims completions zsh > ~/.zfunc/_claims")]
pub struct Args {
    /// The shell to complete for
    pub shell: clap_complete::Shell,
}

pub fn run(args: Args, ui: &mut Ui) -> Result<(), CommandError> {
    clap_complete::generate(args.shell, &mut super::command(), "claims", ui.out());
    Ok(())
}
