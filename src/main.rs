//! `terraform-provider-coreweave`: the plugin binary Terraform launches.

fn main() -> std::process::ExitCode {
    terraform_provider_coreweave::run()
}
