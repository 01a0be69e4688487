resource "coreweave_object_storage_bucket" "training_data" {
  name = "training-data"
  zone = "US-EAST-04A"

  tags = {
    team = "ml"
  }

  # Destroying the bucket deletes its objects too. Leave false (the default) to have a
  # destroy of a bucket that still holds objects fail, naming how many.
  force_destroy = false
}
