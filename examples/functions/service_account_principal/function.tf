output "principal" {
  # role/https://oidc.cks.coreweave.com/id/abc:system:serviceaccount:default:my-object-storage-sa
  value = provider::coreweave::service_account_principal(
    "https://oidc.cks.coreweave.com/id/abc", "default", "my-object-storage-sa"
  )
}
